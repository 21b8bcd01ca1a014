public import HandoffConfig
import YAMLNodes

/// Loads configurations written inline in tests, file by file, without touching the disk.
public enum ConfigFixtures {
    /// Loads `files` (path → text) as one configuration directory.
    public static func load(_ files: [(String, String)]) -> LoadedConfiguration {
        ConfigurationLoader.load(files: files.map { ($0.0, Array($0.1.utf8)) }, directory: ".")
    }

    public static func load(_ text: String, path: String = "handoff.yaml") -> LoadedConfiguration {
        load([(path, text)])
    }

    /// A valid configuration used as the starting point of many tests.
    public static let minimal = """
        version: 1
        connections:
          acme: { type: pagerduty, token_env: PAGERDUTY_TOKEN }
        people:
          alice: { name: Alice Archer, email: alice@example.com }
          bob:   { name: Bob Brown, email: bob@example.com }
          carol: { name: Carol Chen, email: carol@example.com }
        schedules:
          primary:
            time_zone: Europe/Berlin
            rotation:
              members: [alice, bob, carol]
              start: 2026-11-02T09:00
              turn: 1w
        destinations:
          primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: PABC123 }

        """
}
