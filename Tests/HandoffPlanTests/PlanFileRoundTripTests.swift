import Foundation
import HandoffPlan
import HandoffTestSupport
import HandoffTime
import Testing

/// A saved plan encodes the `Plan` value itself: whatever the plan holds, the file reads back equal.
@Suite("Saved plans: decode(encode(plan)) == plan")
struct PlanFileRoundTripTests {
    private static let pieces = ["a", "Zoë", "日本", "\"", "\\", "\n", "\u{1B}[31m", "\u{202E}", "\u{0}", " ", "/", "</code>", "🎉"]

    private static func text(_ random: inout SeededRandom) -> String {
        (0..<random.int(in: 0...4)).map { _ in random.pick(pieces) }.joined()
    }

    private static func instant(_ random: inout SeededRandom) -> Instant {
        Instant(secondsSinceEpoch: 1_795_348_800 + Int64(random.int(in: -100_000...10_000_000)))
    }

    static func plan(_ random: inout SeededRandom) -> Plan {
        let base = instant(&random)
        var destinations: [DestinationPlan] = []
        for index in 0..<random.int(in: 0...4) {
            let actions = (0..<random.int(in: 0...6)).map { _ in
                PlanAction(
                    kind: random.pick(PlanAction.Kind.allCases), start: instant(&random), end: instant(&random), userID: text(&random),
                    person: text(&random), email: text(&random), overrideID: random.chance(0.5) ? text(&random) : nil,
                    reason: random.chance(0.8) ? random.pick(PlanReasonSamples.action(from: instant(&random))) : nil
                )
            }
            let handovers = (0..<random.int(in: 0...5)).map { _ in
                func holder() -> Handover.Holder? {
                    random.chance(0.3) ? nil : Handover.Holder(
                        userID: text(&random), person: random.chance(0.5) ? text(&random) : nil, name: text(&random), email: text(&random),
                        rotationID: random.chance(0.3) ? text(&random) : nil
                    )
                }
                return Handover(
                    range: InstantRange(start: instant(&random), end: instant(&random)), before: holder(), after: holder(),
                    why: random.pick(PlanReasonSamples.handover(from: instant(&random))), containsNow: random.chance(0.5)
                )
            }
            let removed = random.chance(0.3)
            destinations.append(DestinationPlan(
                name: "d\(index)" + text(&random), connection: text(&random), destinationSchedule: text(&random),
                timeZone: random.pick(["UTC", "Europe/Berlin", "Asia/Kolkata", text(&random)]),
                watermarkBefore: random.chance(0.5) ? instant(&random) : nil, watermarkAfter: random.chance(0.5) ? instant(&random) : nil,
                actions: actions, removed: removed,
                observedWindow: random.chance(0.7) ? InstantRange(start: instant(&random), end: instant(&random)) : nil,
                liveFingerprint: text(&random), stateLooksLost: random.chance(0.2),
                interruptedDeletes: InterruptedDeletes(done: (0..<random.int(in: 0...2)).map { _ in text(&random) }, withdrawn: (0..<random.int(in: 0...2)).map { _ in text(&random) }),
                keepsOverrides: removed && random.chance(0.5), movedFrom: random.chance(0.3) ? text(&random) : nil, handovers: handovers
            ))
        }
        let frozen = (0..<random.int(in: 0...3)).map { _ in
            func entry() -> PeopleDirectory.Entry? {
                random.chance(0.3) ? nil : PeopleDirectory.Entry(name: text(&random), email: text(&random), person: random.chance(0.5) ? text(&random) : nil)
            }
            return FrozenChange(
                destination: text(&random), schedule: text(&random), timeZone: random.pick(["UTC", "America/New_York"]), start: instant(&random),
                end: instant(&random), before: entry(), after: entry()
            )
        }
        return Plan(
            now: base, destinations: destinations, stateLineage: random.chance(0.5) ? text(&random) : nil, stateSerial: random.int(in: 0...1_000_000),
            allowFirstExportDeletes: random.chance(0.5), frozenChangesAllowed: random.chance(0.5), frozenChanges: frozen
        )
    }

    @Test("varied plans, with every reason, handovers, frozen changes, removed and moved destinations", arguments: 0..<4)
    func roundTrip(_ seed: Int) async throws {
        var random = SeededRandom(seed: UInt64(seed) &* 6151 &+ 11)
        for _ in 0..<150 {
            // Gives the thread back between cases: the simulated PagerDuty of other tests shares
            // Swift concurrency's few threads and must keep answering.
            await Task.yield()
            let plan = Self.plan(&random)
            let directory = Self.text(&random)
            let decoded = try PlanFile.decode(Array(PlanFile.encode(plan, configurationDirectory: directory).utf8))
            #expect(decoded.plan == plan)
            #expect(decoded.configurationDirectory == directory)
        }
    }

    @Test("every action reason and handover reason reads back")
    func everyReason() throws {
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        let actions = PlanReasonSamples.action(from: now.adding(seconds: 86_400)).map {
            PlanAction(kind: .delete, start: now, end: now.adding(seconds: 3600), userID: "U", person: "P", email: "e", overrideID: "O", reason: $0)
        }
        let handovers = PlanReasonSamples.handover(from: now).map { Handover(range: InstantRange(start: now, end: now.adding(seconds: 60)), before: nil, after: nil, why: $0, containsNow: true) }
        let plan = Plan(
            now: now,
            destinations: [DestinationPlan(name: "d", connection: "c", destinationSchedule: "S", timeZone: "UTC", watermarkBefore: nil, watermarkAfter: nil, actions: actions, liveFingerprint: "f", handovers: handovers)],
            stateLineage: "L", stateSerial: 1
        )
        #expect(try PlanFile.decode(Array(PlanFile.encode(plan, configurationDirectory: ".").utf8)).plan == plan)
    }

    @Test("a plan file from before file_version is refused with one clear sentence")
    func olderFileRefused() {
        let old = #"{"kind": "handoff-plan", "format_version": "1", "now": "2026-11-27T00:00:00Z", "configuration": ".", "state": {"lineage": null, "serial": 0}, "destinations": []}"#
        #expect(throws: PlanFile.Failure.self) { try PlanFile.decode(Array(old.utf8)) }
        do {
            _ = try PlanFile.decode(Array(old.utf8))
        } catch {
            #expect("\(error)" == "it was saved by an earlier Handoff (it has no file_version 2); make a new plan with this one")
        }
    }

    @Test("the file keeps every key the previous Handoff requires, so that it still reads it")
    func previousReaderKeys() throws {
        var random = SeededRandom(seed: 99)
        var checked = 0
        while checked < 20 {
            let plan = Self.plan(&random)
            guard !plan.destinations.isEmpty else { continue }
            checked += 1
            // Read with Foundation, as the previous Handoff did (an independent reader).
            let data = Data(PlanFile.encode(plan, configurationDirectory: ".").utf8)
            let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(root["kind"] as? String == "handoff-plan" && root["format_version"] as? String == "1")
            #expect(root["now"] is String && root["configuration"] is String && (root["state"] as? [String: Any])?["serial"] is Int)
            for destination in root["destinations"] as? [[String: Any]] ?? [] {
                for key in ["name", "connection", "pagerduty_schedule", "time_zone", "live_fingerprint"] {
                    #expect(destination[key] is String, "\(key)")
                }
                #expect(destination["watermark"] is [String: Any] && destination["actions"] is [[String: Any]])
                for action in destination["actions"] as? [[String: Any]] ?? [] {
                    for key in ["action", "start", "end", "pagerduty_user"] { #expect(action[key] is String, "\(key)") }
                }
                for handover in destination["handovers"] as? [[String: Any]] ?? [] {
                    for key in ["start", "end", "why"] { #expect(handover[key] is String, "\(key)") }
                }
            }
        }
    }
}
