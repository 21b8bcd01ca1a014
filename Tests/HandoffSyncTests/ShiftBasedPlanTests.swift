import Foundation
import HandoffConfig
import HandoffDestination
import HandoffPlan
import HandoffState
import HandoffSync
import HandoffTestSupport
import HandoffTime
import OrderedJSON
import Synchronization
import Testing

private func at(_ text: String) -> Instant { TeamFixture.at(text) }

/// Monday 2026-11-23, 11:00 in Berlin.
private let now = MemoryTeamFixture.now
private let users = MemoryTeamFixture.users

/// Weekly turns exported to schedule `P1`; with `swap`, bob and carol swap their turns of 2026-11-30.
private func team(swap: Bool = false) -> String {
    MemoryTeamFixture.configuration(turn: "1w", swaps: swap ? ["[2026-11-30T09:00, 2026-12-07T09:00]"] : [], pagerDutySchedule: "P1")
}

private let note = "schedule P1 has 2 rotations; rotation R2 stays on call beside the exported person"

/// A shift-based schedule whose rotation R1 hands over on Thursdays 09:00 Berlin: a shift's part
/// before the Thursday is the rotation's own (covered), the rest an override of R1 replacing Bob
/// (Alice in Bob's own shifts),
/// except in the week of 2026-11-30, where R1 leaves the Thursday-to-Monday seat empty (a custom
/// shift). Thursdays: 2026-11-26, 12-03, 12-10 (08:00 UTC).
private let splitLayout: @Sendable (LayoutRequest) throws -> DestinationLayout = { request in
    let thursdays = ["2026-11-26T08:00:00Z", "2026-12-03T08:00:00Z", "2026-12-10T08:00:00Z"].map(at)
    let pieces = request.shifts.map { shift -> [LayoutPiece] in
        guard let cut = thursdays.first(where: { $0 > shift.start && $0 < shift.end }) else {
            return [LayoutPiece(start: shift.start, end: shift.end, write: nil)]
        }
        // R1 has Bob there, or Alice where the shift is Bob's own.
        let target: OverrideTarget = cut == at("2026-12-03T08:00:00Z") ? .customShift : .rotation(id: "R1", replacing: shift.userID == "UB" ? "UA" : "UB")
        return [
            LayoutPiece(start: shift.start, end: cut, write: nil),
            LayoutPiece(start: cut, end: shift.end, write: PlannedOverride(start: cut, end: shift.end, userID: shift.userID, target: target)),
        ]
    }
    return DestinationLayout(kind: .shiftBased, pieces: pieces, notes: [note], updatesInPlace: true)
}

/// R1's own members as PagerDuty's final schedule shows them before the first export: each
/// shift's person until its Thursday, Bob from there, nobody in the Thursday-to-Monday seat of the
/// week of 2026-11-30. The handovers name them where no override holds the pager.
private let ownMembers = [
    ("2026-11-23T08:00:00Z", "2026-11-26T08:00:00Z", "UA"), ("2026-11-26T08:00:00Z", "2026-12-03T08:00:00Z", "UB"),
    ("2026-12-07T08:00:00Z", "2026-12-10T08:00:00Z", "UC"), ("2026-12-10T08:00:00Z", "2026-12-14T08:00:00Z", "UB"),
].map { UnderlyingOnCall(range: InstantRange(start: at($0.0), end: at($0.1)), userID: $0.2, rotationID: "R1") }

/// Plans through `InMemoryDestination`, registered as the `pagerduty` kind, from a given state.
private func plan(_ text: String, state: HandoffState = HandoffState(), destination: InMemoryDestination) async throws -> Plan {
    let configuration = try MemoryTeamFixture.load(text, directory: FileManager.default.temporaryDirectory.path)
    return try await MemoryTeamFixture.plan(configuration, state: state, now: now, options: MemoryTeamFixture.options(serving: destination))
}

/// The state and destination as if `plan` had been applied (its creates made, with their targets).
private func applied(_ plan: Plan, on destination: InMemoryDestination) -> HandoffState {
    var records: [OverrideRecord] = []
    for action in plan.destinations[0].actions(.create) {
        records.append(destination.addByHand(schedule: "P1", start: action.start, end: action.end, userID: action.userID, target: action.target))
    }
    let entry = DestinationState(
        connection: "acme", destinationSchedule: "P1", watermark: plan.destinations[0].watermarkAfter, overrides: records, scheduleKind: .shiftBased
    )
    return HandoffState(lineage: "L", serial: 1, destinations: ["primary-pd": entry])
}

@Suite("Plans of a shift-based destination: layouts, kinds, moves (in memory; golden files)")
struct ShiftBasedPlanTests {
    static let folder = (URL(fileURLWithPath: #filePath).deletingLastPathComponent().path as NSString).appendingPathComponent("Golden")

    private func check(_ plan: Plan, _ name: String) {
        for (suffix, text) in [("txt", PlanRenderer.text(plan)), ("md", PlanRenderer.markdown(plan)), ("json", PlanRenderer.json(plan).serialized())] {
            if let difference = Golden.check(text, name: "\(name).\(suffix)", folder: Self.folder) { Issue.record(Comment(rawValue: difference)) }
        }
    }

    @Test("each shift is replaced by its pieces: covered ones are not created, the others carry their target; the layout is asked with the schedule, the window and the remembered kind")
    func piecesFromLayout() async throws {
        let destination = InMemoryDestination(users: users, now: now)
        let asked = Mutex<[LayoutRequest]>([])
        destination.setLayout { request in
            asked.withLock { $0.append(request) }
            return try splitLayout(request)
        }
        let first = try await plan(team(), destination: destination)
        let creates = first.destinations[0].actions(.create)
        #expect(creates.map(\.start) == ["2026-11-26T08:00:00Z", "2026-12-03T08:00:00Z", "2026-12-10T08:00:00Z"].map(at))
        #expect(creates.map(\.target) == [.rotation(id: "R1", replacing: "UB"), .customShift, .rotation(id: "R1", replacing: "UB")])
        #expect(creates.first?.replacedPerson == "Bob Brown")
        #expect(first.destinations[0].scheduleKind == .shiftBased && first.destinations[0].notes == [note])
        let request = try #require(asked.withLock { $0 }.first)
        #expect(request.schedule == "P1" && request.rotation == nil && request.rememberedKind == nil && request.window.start == now)
        #expect(request.shifts.count == 3 && request.shifts.allSatisfy { $0.target == .schedule })

        // Applied, the same plan again has nothing to do, and the layout is asked with the kind remembered.
        let state = applied(first, on: destination)
        let again = try await plan(team(), state: state, destination: destination)
        #expect(!again.hasChanges, "\(PlanRenderer.text(again))")
        #expect(asked.withLock { $0 }.last?.rememberedKind == .shiftBased)
    }

    @Test("a schedule upgraded to shift-based since Handoff last wrote it stops the plan with one sentence naming the command")
    func kindChanged() async throws {
        let destination = InMemoryDestination(users: users, now: now)
        destination.setLayout { _ in throw DestinationError(.kindChanged, "schedule P1 is shift-based now") }
        let state = HandoffState(
            lineage: "L", serial: 1, destinations: ["primary-pd": DestinationState(connection: "acme", destinationSchedule: "P1", scheduleKind: .layerBased)]
        )
        do {
            _ = try await plan(team(), state: state, destination: destination)
            Issue.record("the plan went on")
        } catch let error as SyncError {
            #expect(error.messages == [
                "destination \"primary-pd\": its PagerDuty schedule P1 is now shift-based, but Handoff last wrote it as layer-based, "
                    + "so the overrides the state records for it do not exist there; run `handoff state readopt primary-pd`"
            ])
        }
        #expect(destination.calls.list == 0, "nothing is listed once a layout fails")
    }

    @Test("a layout whose pieces do not fit their shift is refused, never planned from")
    func badLayoutRefused() async throws {
        let destination = InMemoryDestination(users: users, now: now)
        destination.setLayout { request in
            DestinationLayout(kind: .shiftBased, pieces: request.shifts.map { [LayoutPiece(start: $0.start, end: $0.end.adding(seconds: 3600), write: $0)] })
        }
        await #expect(throws: SyncError.self) { try await plan(team(), destination: destination) }
    }

    @Test("golden: first export onto a shift-based schedule (pieces, a custom shift, a note; the rotation's own members before)")
    func goldenFirstExport() async throws {
        let destination = InMemoryDestination(users: users, now: now)
        destination.setLayout { request in
            var layout = try splitLayout(request)
            layout.underlying = ownMembers
            return layout
        }
        check(try await plan(team(), destination: destination), "shift-based-first-export")
    }

    @Test("golden: a swap on a shift-based schedule moves the future overrides in place")
    func goldenSwap() async throws {
        let destination = InMemoryDestination(users: users, now: now)
        destination.setLayout(splitLayout)
        let state = applied(try await plan(team(), destination: destination), on: destination)
        let swapped = try await plan(team(swap: true), state: state, destination: destination)
        // Bob's custom shift becomes Carol's (a move); Carol's override of Bob on R1 goes and Bob's of
        // Alice comes (another target: a delete and a create).
        #expect(swapped.summary.move == 1 && swapped.summary.delete == 1 && swapped.summary.create == 1, "\(PlanRenderer.text(swapped))")
        check(swapped, "shift-based-swap")
        // The saved plan carries the targets, the move, the kind and the notes.
        let decoded = try PlanFile.decode(Array(PlanFile.encode(swapped, configurationDirectory: ".").utf8)).plan
        #expect(decoded == swapped)
    }

    @Test("the JSON plan of a shift-based destination has only the keys schemas/plan.schema.json describes")
    func jsonMatchesTheSchema() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("schemas/plan.schema.json"))) as? [String: Any])
        func properties(_ object: [String: Any]?) -> [String: Any] { object?["properties"] as? [String: Any] ?? [:] }
        let destinationSchema = ((properties(schema)["destinations"] as? [String: Any])?["items"]) as? [String: Any]
        let actionSchema = (properties(destinationSchema)["actions"] as? [String: Any])?["items"] as? [String: Any]
        let targetSchema = properties(actionSchema)["target"] as? [String: Any]
        let previousSchema = properties(actionSchema)["previous"] as? [String: Any]
        let summaryKeys = Set(properties(properties(schema)["summary"] as? [String: Any]).keys)
        let actionKinds = Set((properties(actionSchema)["action"] as? [String: Any])?["enum"] as? [String] ?? [])
        let targetKinds = Set((properties(targetSchema)["kind"] as? [String: Any])?["enum"] as? [String] ?? [])

        let destination = InMemoryDestination(users: users, now: now)
        destination.setLayout(splitLayout)
        let first = try await plan(team(), destination: destination)
        let state = applied(first, on: destination)
        var swapped = try await plan(team(swap: true), state: state, destination: destination)
        // And every kind of target, on a delete.
        for target in [OverrideTarget.rotation(id: "R9", replacing: nil), .customShiftOverride(id: "C1", replacing: "UA")] {
            swapped.destinations[0].actions.append(PlanAction(kind: .delete, start: now, end: now, userID: "UB", person: "Bob Brown", email: "b", overrideID: "X", target: target))
        }
        for plan in [first, swapped] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(PlanRenderer.json(plan).serialized().utf8)) as? [String: Any])
            #expect(Set((json["summary"] as? [String: Any] ?? [:]).keys).isSubset(of: summaryKeys))
            for object in json["destinations"] as? [[String: Any]] ?? [] {
                #expect(Set(object.keys).isSubset(of: Set(properties(destinationSchema).keys)), "\(object.keys)")
                #expect(object["schedule_kind"] as? String == "shift-based" && object["notes"] as? [String] == [note])
                for action in object["actions"] as? [[String: Any]] ?? [] {
                    #expect(Set(action.keys).isSubset(of: Set(properties(actionSchema).keys)), "\(action.keys)")
                    #expect(actionKinds.contains(action["action"] as? String ?? ""))
                    let target = try #require(action["target"] as? [String: Any])
                    #expect(Set(target.keys).isSubset(of: Set(properties(targetSchema).keys)) && targetKinds.contains(target["kind"] as? String ?? ""))
                    if let previous = action["previous"] as? [String: Any] {
                        #expect(Set(previous.keys).isSubset(of: Set(properties(previousSchema).keys)))
                        let required = Set(previousSchema?["required"] as? [String] ?? [])
                        #expect(required.isSubset(of: Set(previous.keys)))
                    }
                }
            }
        }
        #expect(PlanRenderer.json(swapped).serialized().contains("\"move\": 1"))
    }
}
