public import Foundation
public import PagerDutySandbox

/// Copies of the examples for the end-to-end command tests, which run the built binary in them:
/// each test gets a folder of its own in the temporary directory, so that the `.handoff/` the run
/// writes (state, the built-in simulated PagerDuty's data) is its own.
public enum ExampleCopy {
    /// A new folder `handoff-LABEL-UUID` in the temporary directory holding `files` of
    /// `examples/EXAMPLE`; the caller removes it.
    public static func make(_ label: String, example: String = "quickstart", files: [String] = ["handoff.yaml"]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = HandoffProcess.packageRoot.appendingPathComponent("examples/\(example)")
        for name in files {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        return directory
    }

    /// The data file of the built-in simulated PagerDuty of the copy in `directory`.
    public static func sandboxFile(_ directory: URL) -> URL { directory.appendingPathComponent(".handoff/sandbox.json") }

    /// The overrides the built-in simulated PagerDuty of the copy in `directory` holds.
    public static func overrides(_ directory: URL) throws -> [SandboxOverride] {
        try JSONDecoder().decode(SandboxData.self, from: Data(contentsOf: sandboxFile(directory))).overrides
    }
}
