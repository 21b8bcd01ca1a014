import HandoffDestination
import HandoffPlan
@testable import HandoffSync
import HandoffTime
import Synchronization
import Testing

/// A destination that answers `override(schedule:id:target:)` from a script and can do nothing
/// else: what `readCuts` makes of each answer.
private final class ScriptedReads: OverrideDestination {
    enum Answer: Sendable {
        case found(OverrideRecord)
        case none
        case fails(DestinationError)
    }

    let answers: [String: Answer]
    private let asked = Mutex<[String]>([])

    init(_ answers: [String: Answer]) { self.answers = answers }

    var reads: [String] { asked.withLock { $0 } }

    var capabilities: DestinationCapabilities { DestinationCapabilities(maxBatchSize: 1, updatesInPlace: true) }

    func resolveUsers(emails: [String]) async throws -> [String: DestinationUser] { [:] }
    func user(id: String) async throws -> DestinationUser? { nil }
    func overrides(schedule: String, overlapping window: InstantRange) async throws -> [OverrideRecord] { [] }
    func createOverrides(schedule: String, _ overrides: [PlannedOverride]) async throws -> [OverrideCreationResult] { [] }
    func deleteOverride(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideDeletionResult { .deleted }

    func override(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideRecord? {
        asked.withLock { $0.append(id) }
        switch answers[id] {
        case .found(let record)?: return record
        case .fails(let error)?: throw error
        case .none?, nil: return nil
        }
    }
}

/// The plan's `now`, a whole minute.
private let now = Instant(secondsSinceEpoch: 1_795_000_020 / 60 * 60)
private let rotation = OverrideTarget.rotation(id: "PROT1", replacing: "UC")
private let other = OverrideTarget.rotation(id: "PROT2", replacing: "UC")

private func s(_ seconds: Int64) -> Instant { now.adding(seconds: seconds) }

private func action(_ kind: PlanAction.Kind, _ id: String?, _ start: Int64, _ end: Int64, _ user: String, _ target: OverrideTarget = rotation) -> PlanAction {
    PlanAction(kind: kind, start: s(start), end: s(end), userID: user, person: user, email: "", overrideID: id, target: target)
}

/// Alice's started override (from a day ago to a day ahead), deleted; Bob's replacement from now.
private let aliceGoes = action(.delete, "OA", -86_400, 86_400, "UA")
private let bobComes = action(.create, nil, 0, 86_400, "UB")

private func read(_ destination: ScriptedReads, deletes: [PlanAction] = [aliceGoes], results: [String: OverrideDeletionResult] = ["OA": .truncated], creates: [PlanAction] = [bobComes])
    async -> (cuts: [Applier.Cut], failures: [String], unresolved: Set<String>)
{
    await Applier.readCuts(deletes, results: results, creates: creates, now: now, schedule: "PSHIFT1", target: destination)
}

@Suite("Apply: where a started rotation override was cut, read back after its delete")
struct ApplierCutsTests {
    @Test("the cut read back: the replacement starts where it now ends, even where the cut override began inside the create")
    func cutFound() async {
        let destination = ScriptedReads(["OA": .found(OverrideRecord(id: "OA", start: s(-86_400), end: s(95), userID: "UA", target: rotation))])
        let result = await read(destination)
        #expect(result.failures.isEmpty && result.unresolved.isEmpty)
        #expect(result.cuts == [Applier.Cut(target: rotation, start: s(-86_400), end: s(95))])
        #expect(Applier.afterCuts(bobComes, result.cuts)?.start == s(95))
        // A manual override that began at second 37 of the plan's minute, reverted and cut at 50.
        let inside = Applier.Cut(target: rotation, start: s(37), end: s(50))
        #expect(Applier.afterCuts(bobComes, [inside])?.start == s(50))
        // Another rotation's cut, or one that ended before the create, changes nothing.
        #expect(Applier.afterCuts(bobComes, [Applier.Cut(target: other, start: s(-60), end: s(95))])?.start == now)
        #expect(Applier.afterCuts(action(.create, nil, 120, 86_400, "UB"), result.cuts)?.start == s(120))
        // A chain: each cut followed in start order; nothing left of a create the cuts cover.
        let chain = [Applier.Cut(target: rotation, start: s(40), end: s(200)), Applier.Cut(target: rotation, start: s(-10), end: s(50))]
        #expect(Applier.afterCuts(bobComes, chain)?.start == s(200))
        #expect(Applier.afterCuts(action(.create, nil, 0, 100, "UB"), chain) == nil)
    }

    @Test("a read that fails, an override still whole, or one said to be cut and then not found: one sentence each, and the delete left pending")
    func unresolved() async {
        let lost = await read(ScriptedReads(["OA": .fails(DestinationError(.outcomeUnknown, "the answer was lost"))]))
        #expect(lost.cuts.isEmpty && lost.unresolved == ["OA"])
        #expect(lost.failures.count == 1 && lost.failures[0].contains("could not be read back") && lost.failures[0].contains("was not created"))
        let whole = await read(ScriptedReads(["OA": .found(OverrideRecord(id: "OA", start: s(-86_400), end: s(86_400), userID: "UA", target: rotation))]))
        #expect(whole.cuts.isEmpty && whole.unresolved == ["OA"])
        #expect(whole.failures.count == 1 && whole.failures[0].contains("is still shown until"))
        let contradicted = await read(ScriptedReads(["OA": .none]))
        #expect(contradicted.cuts.isEmpty && contradicted.unresolved == ["OA"])
        #expect(contradicted.failures.count == 1 && contradicted.failures[0].contains("answered as cut and then as not found"))
    }

    @Test("nothing to read: a destination without the read, a removed future override, a delete nothing waits for, an empty remnant")
    func nothingToRead() async {
        let unsupported = await read(ScriptedReads(["OA": .fails(DestinationError(.unsupported, "no such read"))]))
        #expect(unsupported.cuts.isEmpty && unsupported.failures.isEmpty && unsupported.unresolved.isEmpty)
        // Removed whole (answered deleted, and not found): no cut, no failure.
        let gone = ScriptedReads(["OA": .none])
        let removed = await read(gone, results: ["OA": .deleted])
        #expect(removed.cuts.isEmpty && removed.failures.isEmpty && gone.reads == ["OA"])
        // A future override answered deleted is not read at all.
        let future = action(.delete, "OF", 3600, 86_400, "UA")
        let untouched = ScriptedReads([:])
        #expect(await read(untouched, deletes: [future], results: ["OF": .deleted]).cuts.isEmpty && untouched.reads.isEmpty)
        // No create waits for it (another rotation).
        let elsewhere = ScriptedReads([:])
        #expect(await read(elsewhere, creates: [action(.create, nil, 0, 86_400, "UB", other)]).failures.isEmpty && elsewhere.reads.isEmpty)
        // PagerDuty shows nothing left of it (an end before its start).
        let empty = await read(ScriptedReads(["OA": .found(OverrideRecord(id: "OA", start: s(30), end: s(20), userID: "UA", target: rotation))]))
        #expect(empty.cuts.isEmpty && empty.failures.isEmpty && empty.unresolved.isEmpty)
    }

    @Test("the deletes a create waits for: same rotation, overlapping spans, at the bounds too")
    func candidates() {
        let deletes = [
            aliceGoes,
            action(.delete, "TOUCHING", -3600, 0, "UA"),
            action(.delete, "AFTER", 86_400, 90_000, "UA"),
            action(.delete, "OTHER", -3600, 3600, "UA", other),
            action(.delete, "SCHEDULE", -3600, 3600, "UA", .schedule),
            action(.delete, "INSIDE", 60, 120, "UA"),
        ]
        let creates = [bobComes, action(.create, nil, 200_000, 300_000, "UB"), action(.create, nil, -3600, 3600, "UB", .schedule)]
        #expect(Applier.cutCandidates(deletes, creates: creates) == ["OA", "INSIDE"])
        #expect(Applier.cutCandidates(deletes, creates: []).isEmpty)
        // A long early create still overlaps a delete after a short later one has ended: the
        // latest end so far counts, not the last create's.
        let between = action(.delete, "BETWEEN", 7200, 10_800, "UA")
        let longAndShort = [action(.create, nil, 0, 86_400, "UB"), action(.create, nil, 3600, 5400, "UB")]
        #expect(Applier.cutCandidates([between], creates: longAndShort) == ["BETWEEN"])
        #expect(Applier.cutCandidates([between], creates: [longAndShort[1]]).isEmpty)
    }
}
