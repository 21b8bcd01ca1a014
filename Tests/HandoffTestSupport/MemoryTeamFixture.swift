public import HandoffConfig
public import HandoffDestination
public import HandoffPlan
public import HandoffState
public import HandoffSync
public import HandoffTime

/// The team of the suites that plan and apply through `InMemoryDestination` (in-memory
/// destination, applier targets, shift-based plans), written once: alice, bob and carol in a
/// Berlin rotation from Monday 2026-11-02 09:00, exported two weeks ahead, with the destination
/// registered as the `pagerduty` kind so that no PagerDuty and no socket is behind it.
public enum MemoryTeamFixture {
    /// Monday 2026-11-23, 11:00 in Berlin.
    public static let now = TeamFixture.now

    /// The destination's users: `UA`, `UB` and `UC` for alice, bob and carol.
    public static let users = [
        DestinationUser(id: "UA", name: "Alice Archer", email: "alice@example.com"),
        DestinationUser(id: "UB", name: "Bob Brown", email: "bob@example.com"),
        DestinationUser(id: "UC", name: "Carol Chen", email: "carol@example.com"),
    ]

    /// The configuration: `members` take turns of `turn`; `freeze` (a duration) when not the
    /// default; `swaps` (YAML pairs such as `[2026-11-30T09:00, 2026-12-07T09:00]`) in the
    /// rotation; the destination `primary-pd` on `pagerDutySchedule`, and `mirror-pd` on `PMIRROR`
    /// beside it when `mirror`.
    public static func configuration(
        members: String = "alice, bob, carol", turn: String = "1d", freeze: String? = nil, swaps: [String] = [],
        pagerDutySchedule: String = "PPRIMAR", mirror: Bool = false
    ) -> String {
        let swapLines = swaps.isEmpty ? "" : "    swaps:\n" + swaps.map { "      - \($0)\n" }.joined()
        return """
            version: 1
            \(freeze.map { "freeze: \($0)\n" } ?? "")connections:
              acme: { type: pagerduty, token_env: MEMORY_TOKEN }
            people:
              alice: { name: Alice Archer, email: alice@example.com }
              bob:   { name: Bob Brown, email: bob@example.com }
              carol: { name: Carol Chen, email: carol@example.com }
            schedules:
              primary:
                time_zone: Europe/Berlin
                rotation: { members: [\(members)], start: 2026-11-02T09:00, turn: \(turn) }
                horizon: 2w
            \(swapLines)destinations:
              primary-pd: { schedule: primary, connection: acme, pagerduty_schedule: \(pagerDutySchedule) }
            \(mirror ? "  mirror-pd: { schedule: primary, connection: acme, pagerduty_schedule: PMIRROR }\n" : "")
            """
    }

    /// `text` loaded as the configuration of `directory`; its diagnostics thrown when it is invalid.
    public static func load(_ text: String, directory: String) throws -> Configuration {
        let loaded = ConfigurationLoader.load(files: [("handoff.yaml", Array(text.utf8))], directory: directory)
        guard let configuration = loaded.configuration else { throw SyncError(loaded.diagnostics.map(\.description)) }
        return configuration
    }

    /// Connection options that open `destination` for every `pagerduty` connection, with no
    /// environment (no token is read).
    public static func options(serving destination: InMemoryDestination) -> ConnectionOptions {
        var options = ConnectionOptions()
        options.environment = [:]
        var kinds = ConnectionKinds()
        kinds.register("pagerduty") { _ in ConnectionKinds.Opened(destination: destination, close: {}) }
        options.kinds = kinds
        return options
    }

    /// What the planner makes of `configuration` from `state` at `now`, as `handoff plan` does;
    /// the connections are closed whatever happens.
    public static func plan(
        _ configuration: Configuration, state: HandoffState, now: Instant, allowFrozenChanges: Bool = false, options: ConnectionOptions
    ) async throws -> Plan {
        let request = PlanBuilder.Request(configuration: configuration, state: state, now: now, allowFrozenChanges: allowFrozenChanges)
        let hub = try await ConnectionHub.open(try PlanBuilder.connections(request), configuration: configuration, options: options)
        do {
            let plan = try await PlanBuilder.build(request, hub: hub)
            await hub.close()
            return plan
        } catch {
            await hub.close()
            throw error
        }
    }
}
