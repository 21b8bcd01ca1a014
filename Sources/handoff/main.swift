import HandoffCLI

await HandoffMain.run()
