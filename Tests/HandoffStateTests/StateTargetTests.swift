import Foundation
import HandoffDestination
@testable import HandoffState
import HandoffTime
import OrderedJSON
import Testing

/// One record of every kind of target, in start order.
private let records = [
    OverrideRecord(id: "S1", start: t(0), end: t(24), userID: "U"),
    OverrideRecord(id: "R1", start: t(24), end: t(36), userID: "U", target: .rotation(id: "PROT1", replacing: "PBOB")),
    OverrideRecord(id: "R2", start: t(36), end: t(48), userID: "U", target: .rotation(id: "PROT1", replacing: nil)),
    OverrideRecord(id: "C1", start: t(48), end: t(60), userID: "U", target: .customShift),
    OverrideRecord(id: "O1", start: t(60), end: t(72), userID: "U", target: .customShiftOverride(id: "PCS1", replacing: "PBOB")),
]

/// Shift-based schedules (issue 16) in the local state: where each owned override acts, the kind a
/// destination was last written as, and overrides changed in place, through the file and the journal.
@Suite("Local state: override targets, schedule kinds and moves")
struct StateTargetTests {
    @Test("every target and both kinds survive the file and a journal line; a whole-schedule record is written exactly as before")
    func roundTrip() throws {
        let state = HandoffState(
            lineage: "L", serial: 3,
            destinations: [
                "shifts": DestinationState(connection: "acme", destinationSchedule: "P1", watermark: t(72), overrides: records, scheduleKind: .shiftBased),
                "layers": DestinationState(connection: "acme", destinationSchedule: "P2", overrides: [records[0]], scheduleKind: .layerBased),
                "old": DestinationState(connection: "acme", destinationSchedule: "P3", overrides: [records[0]]),
            ]
        )
        let text = StateCoding.json(state).serialized(pretty: true)
        #expect(try StateCoding.decodeState(Array(text.utf8)) == state)
        // The whole schedule has no target key; a destination with no kind has no kind key.
        #expect(StateCoding.json(records[0]).serialized(pretty: false) == #"{"id":"S1","start":"2026-11-22T12:00:00Z","end":"2026-11-23T12:00:00Z","user":"U"}"#)
        #expect(StateCoding.json(state.destinations["old"]!).serialized(pretty: false).contains("schedule_kind") == false)
        #expect(StateCoding.json(records[1]).serialized(pretty: false).hasSuffix(#""target":{"type":"rotation","rotation":"PROT1","replacing":"PBOB"}}"#))
        #expect(StateCoding.json(records[2]).serialized(pretty: false).hasSuffix(#""target":{"type":"rotation","rotation":"PROT1","replacing":null}}"#))
        #expect(StateCoding.json(records[3]).serialized(pretty: false).hasSuffix(#""target":{"type":"custom_shift"}}"#))
        #expect(StateCoding.json(records[4]).serialized(pretty: false).hasSuffix(#""target":{"type":"custom_shift_override","custom_shift":"PCS1","replacing":"PBOB"}}"#))
        #expect(text.contains(#""schedule_kind": "shift-based""#))
        // With shift-based records the file is version 2, which a Handoff reading only version 1
        // refuses; with only layer-based ones it stays version 1.
        #expect(text.contains(#""format_version": 2"#))
        let layered = HandoffState(lineage: "L", serial: 3, destinations: ["layers": state.destinations["layers"]!, "old": state.destinations["old"]!])
        #expect(StateCoding.json(layered).serialized(pretty: true).contains(#""format_version": 1"#))

        let change = StateChange(
            destination: "shifts", connection: "acme", destinationSchedule: "P1", created: Array(records[1...]),
            updated: [OverrideRecord(id: "R1", start: t(100), end: t(110), userID: "V", target: .rotation(id: "PROT1", replacing: "PBOB"))],
            scheduleKind: .shiftBased
        )
        let line = StateCoding.journalLine(change, lineage: "L", baseSerial: 3)
        #expect(try StateCoding.decodeJournalLine(Array(line.utf8)).change == change)
        // A change of a layer-based run has none of the new keys.
        let plain = StateChange(destination: "layers", connection: "acme", destinationSchedule: "P2", created: [records[0]])
        let plainLine = StateCoding.journalLine(plain, lineage: "L", baseSerial: 3)
        #expect(!plainLine.contains("target") && !plainLine.contains("updated") && !plainLine.contains("schedule_kind"))
    }

    @Test("a state written before targets and kinds reads as whole-schedule overrides of a destination with no kind remembered")
    func olderState() throws {
        let older = #"{"format_version": 1, "lineage": "L", "serial": 4, "destinations": {"d": {"connection": "acme", "pagerduty_schedule": "P1", "watermark": null, "#
            + #""overrides": [{"id": "Q1", "start": "2026-11-22T00:00:00Z", "end": "2026-11-23T00:00:00Z", "user": "U"}]}}}"#
        let state = try StateCoding.decodeState(Array(older.utf8))
        #expect(state.destinations["d"]?.overrides.first?.target == .schedule)
        #expect(state.destinations["d"]?.scheduleKind == nil)
        // Written back, it is the same text as before (a state file of a layer-based schedule does not change shape).
        let again = StateCoding.json(state).serialized(pretty: false)
        #expect(!again.contains("target") && !again.contains("schedule_kind"))
    }

    @Test(
        "a target or kind this Handoff does not understand is refused with a sentence naming it, never guessed",
        arguments: [
            (#"{"type": "layer"}"#, nil, "the target of an override of destination d is not understood: its target type is not rotation, custom_shift or custom_shift_override"),
            (#"{"type": "rotation", "replacing": "U"}"#, nil, "the target of an override of destination d is not understood: its rotation target names no rotation"),
            (#"{"type": "custom_shift_override"}"#, nil, "the target of an override of destination d is not understood: its custom-shift override target names no custom shift"),
            (#""rotation""#, nil, "the target of an override of destination d is not a JSON object"),
            ("null", #""v4""#, "the schedule kind of destination d is not layer-based or shift-based"),
        ] as [(String, String?, String)]
    )
    func hostile(target: String, kind: String?, message: String) throws {
        let text = #"{"format_version": 1, "lineage": "L", "serial": 4, "destinations": {"d": {"connection": "acme", "pagerduty_schedule": "P1", "watermark": null, "#
            + (kind.map { #""schedule_kind": \#($0), "# } ?? "")
            + #""overrides": [{"id": "Q1", "start": "2026-11-22T00:00:00Z", "end": "2026-11-23T00:00:00Z", "user": "U", "target": \#(target)}]}}}"#
        #expect(throws: StateCoding.Failure.self) { try StateCoding.decodeState(Array(text.utf8)) }
        do {
            _ = try StateCoding.decodeState(Array(text.utf8))
        } catch let failure as StateCoding.Failure {
            #expect(failure.description == message)
        }
    }

    @Test("a move replaces the record with its id (times, person, target); a kind is remembered; both survive a crash in the journal and the fold")
    func movesAndKinds() async throws {
        let (store, directory) = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await store.acquire(holder("A"), timeout: 0)
        try await first.record(StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", created: records))
        try await first.finish()
        let moved = OverrideRecord(id: "R1", start: t(200), end: t(212), userID: "V", target: .rotation(id: "PROT1", replacing: "PBOB"))
        try await first.record(
            StateChange(
                destination: "d", connection: "acme", destinationSchedule: "P1",
                updated: [moved, OverrideRecord(id: "GONE", start: t(0), end: t(1), userID: "V")],
                watermark: t(212), scheduleKind: .shiftBased
            )
        )
        // Killed here: the journal holds the move and the kind.
        try FileManager.default.removeItem(atPath: directory + "/state.json.lock")
        let seen = try await store.read()
        let expected = (records.filter { $0.id != "R1" } + [moved]).sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        #expect(seen.destinations["d"]?.overrides == expected, "the move replaced R1, and an id the state never held was ignored")
        #expect(seen.destinations["d"]?.scheduleKind == .shiftBased)
        let second = try await store.acquire(holder("B"), timeout: 0)
        let written = try await second.finish()
        await second.release()
        #expect(written.destinations["d"]?.overrides == expected)
        #expect(try await store.read() == written)
        #expect(try await store.read().destinations["d"]?.scheduleKind == .shiftBased)

        // A change that names no kind leaves the remembered one alone.
        var state = written
        state.apply(StateChange(destination: "d", connection: "acme", destinationSchedule: "P1", watermark: t(300)))
        #expect(state.destinations["d"]?.scheduleKind == .shiftBased)
    }

    @Test("readopt forgets the destination's overrides, watermark and kind in one change; the others stay")
    func readopt() throws {
        var state = HandoffState(
            lineage: "L", serial: 3,
            destinations: [
                "d": DestinationState(connection: "acme", destinationSchedule: "P1", watermark: t(72), overrides: records, scheduleKind: .layerBased),
                "e": DestinationState(connection: "acme", destinationSchedule: "P2", watermark: t(72), overrides: [records[0]]),
            ]
        )
        let other = state.destinations["e"]
        let change = StateChange.readopt("d", try #require(state.destinations["d"]))
        state.apply(change)
        #expect(state.destinations["d"] == nil)
        #expect(state.destinations["e"] == other)
        // One journal line, read back as the same change.
        let line = StateCoding.journalLine(change, lineage: "L", baseSerial: 3)
        #expect(try StateCoding.decodeJournalLine(Array(line.utf8)).change == change)
    }

    @Test("schemas/state.schema.json describes every key a shift-based destination and its overrides are written with")
    func schemaDescribesTheKeys() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("schemas/state.schema.json"))) as? [String: Any])
        let destinations = try #require((schema["properties"] as? [String: Any])?["destinations"] as? [String: Any])
        let destination = try #require(destinations["additionalProperties"] as? [String: Any])
        let destinationKeys = try #require(destination["properties"] as? [String: Any])
        let override = try #require(((destinationKeys["overrides"] as? [String: Any])?["items"] as? [String: Any])?["properties"] as? [String: Any])
        let target = try #require((override["target"] as? [String: Any])?["properties"] as? [String: Any])
        #expect((destinationKeys["schedule_kind"] as? [String: Any])?["enum"] as? [String] == [DestinationScheduleKind.layerBased.rawValue, DestinationScheduleKind.shiftBased.rawValue])
        #expect((target["type"] as? [String: Any])?["enum"] as? [String] == [TargetFields.rotation, TargetFields.customShift, TargetFields.customShiftOverride])

        let written = StateCoding.json(DestinationState(connection: "acme", destinationSchedule: "P1", watermark: t(1), overrides: records, scheduleKind: .shiftBased))
        let writtenKeys = Set(written.objectValue?.map(\.0) ?? [])
        #expect(writtenKeys.isSubset(of: destinationKeys.keys) && writtenKeys.contains("schedule_kind"))
        for record in records {
            let object = StateCoding.json(record)
            let keys = Set(object.objectValue?.map(\.0) ?? [])
            let targetKeys = Set(object["target"]?.objectValue?.map(\.0) ?? [])
            #expect(keys.isSubset(of: override.keys))
            #expect(targetKeys.isSubset(of: target.keys))
        }
    }
}
