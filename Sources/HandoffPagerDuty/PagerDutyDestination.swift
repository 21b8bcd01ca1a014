import Foundation
public import HandoffDestination
public import HandoffTime
public import PagerDuty
import SafeText
import Synchronization

/// PagerDuty as an override destination, for both kinds of schedule: a layer-based schedule's
/// override layer (the v2 API), and a shift-based schedule's rotation overrides and custom shifts
/// (the v3 API; `V3Layout` says what a shift becomes there), through one `PagerDutyClient` (its
/// key, rate limits and retries). PagerDuty's failures become `DestinationError`s with PagerDuty's
/// own sentences, word for word.
///
/// The kind of each schedule is found once and kept for the life of the destination (a run), so
/// that listing and writing know which API to use; it is shared by the tasks using the destination
/// at once, behind a lock.
public final class PagerDutyDestination: OverrideDestination {
    public let client: PagerDutyClient
    /// The time a v3 delete is judged by (whether an object PagerDuty refuses to delete has
    /// already ended, whether one it deleted had started): the run's clock, injected by tests.
    let now: @Sendable () -> Instant
    /// The kind found (or remembered from the state) per schedule id, for this run.
    let kinds = Mutex<[String: ScheduleKind]>([:])
    /// When each v3 object listed in this run starts, by `V3ObjectKey`, to tell a delete that cut
    /// an object in progress (PagerDuty answers 204 to both) from one that removed it.
    let listedStarts = Mutex<[String: Instant]>([:])
    /// The v3 objects this run deleted (PagerDuty confirmed it), by `V3ObjectKey`: a second delete
    /// of one id is answered from here (`.alreadyGone`), never sent.
    let confirmedV3Deletes = Mutex<Set<String>>([])

    public init(client: PagerDutyClient, now: @escaping @Sendable () -> Instant = PagerDutyDestination.systemNow) {
        self.client = client
        self.now = now
    }

    /// The system's time, to the second.
    public static let systemNow: @Sendable () -> Instant = {
        Instant(secondsSinceEpoch: Int64(Date().timeIntervalSince1970.rounded(.down)))
    }

    /// PagerDuty documents no limit for a bulk create; Handoff sends at most 1000 at once (the
    /// bound of `--batch-size`; v3 creates are sent 20 at a time within that). Overrides cannot
    /// be changed in place in the v2 API; a shift-based schedule's can, which its layout says
    /// (`DestinationLayout.updatesInPlace`), since this answer is the same for every schedule.
    public var capabilities: DestinationCapabilities { DestinationCapabilities(maxBatchSize: 1000, updatesInPlace: false) }

    public func resolveUsers(emails: [String]) async throws -> [String: DestinationUser] {
        let resolution = try await translated(nil) { try await client.resolveUsers(emails: emails) }
        return resolution.users.mapValues(Self.user)
    }

    public func user(id: String) async throws -> DestinationUser? {
        // The members of a custom shift of several people, named together (see `v3Records`).
        if let members = try await membersUser(id: id) { return members }
        do {
            return Self.user(try await client.user(id: id))
        } catch let error as PagerDutyError where error.kind == .notFound {
            return nil
        } catch {
            throw Self.translate(error)
        }
    }

    /// Every override of `schedule` overlapping `window`, of either kind of schedule: the v2
    /// override layer, or a shift-based schedule's overrides and custom shifts (see
    /// `v3Records`). The kind is the one this run found; where it is not known yet (apply's
    /// check before writing), the v2 API is asked first, and a wrong-kind or not-found answer
    /// leads to detection and the v3 API. A schedule this run knew as layer-based (remembered from
    /// the state, or found) that answers as shift-based now throws `.kindChanged`.
    public func overrides(schedule: String, overlapping window: InstantRange) async throws -> [OverrideRecord] {
        do {
            let known = kind(of: schedule)
            if known == .shiftBased { return try await v3Records(schedule: schedule, overlapping: window) }
            do {
                let records = try await client.overrides(scheduleID: schedule, overlapping: window).map(Self.record)
                remember(.layerBased, for: schedule)
                return records
            } catch let error as PagerDutyError where error.kind == .wrongScheduleKind || error.kind == .scheduleNotFound {
                guard try await isShiftBased(schedule, answer: error) else { throw error }
                if known == .layerBased { throw Self.kindChanged(schedule, from: .layerBased) }
                remember(.shiftBased, for: schedule)
                return try await v3Records(schedule: schedule, overlapping: window)
            }
        } catch let error as DestinationError {
            throw error
        } catch {
            throw Self.translate(error, schedule: schedule)
        }
    }

    /// Creates `overrides`, each through the API its target names: `.schedule` on the v2
    /// override layer (one request), `.rotation` as v3 overrides and `.customShift` as v3 custom
    /// shifts (see `createV3`). One result per item, in the order given.
    public func createOverrides(schedule: String, _ overrides: [PlannedOverride]) async throws -> [OverrideCreationResult] {
        var results = [OverrideCreationResult?](repeating: nil, count: overrides.count)
        do {
            let layered = overrides.indices.filter { overrides[$0].target == .schedule }
            if !layered.isEmpty {
                let created = try await createV2(schedule: schedule, layered.map { overrides[$0] })
                for (index, result) in zip(layered, created) { results[index] = result }
            }
            try await createV3(schedule: schedule, overrides, into: &results)
            return zip(overrides, results).map { item, result in
                result ?? .rejected(item, reason: "Handoff does not create overrides of custom shifts on PagerDuty schedule \(SafeText.excerpt(schedule))")
            }
        } catch {
            let failure = (error as? DestinationError) ?? (Self.translate(error, schedule: schedule) as? DestinationError)
            // Items of earlier requests were created: unless the applier lists and matches, their
            // ids would be lost and the next plan would create them again.
            let someCreated = results.contains { if case .created = $0 { true } else { false } }
            if someCreated, failure?.kind != .outcomeUnknown {
                throw DestinationError(
                    .outcomeUnknown,
                    "creating on PagerDuty schedule \(SafeText.excerpt(schedule)) failed after some objects were created; Handoff lists the schedule to learn which: "
                        + (failure?.message ?? "\(error)")
                )
            }
            throw failure ?? error
        }
    }

    private func createV2(schedule: String, _ overrides: [PlannedOverride]) async throws -> [OverrideCreationResult] {
        try await client.createOverrides(scheduleID: schedule, overrides).map { result in
            switch result {
            case .created(let override):
                return .created(Self.record(override))
            case .rejected(let override, let status, let errors):
                return .rejected(
                    override,
                    reason: "PagerDuty refused the override \(override.start) → \(override.end) for user \(override.userID) (\(status)): "
                        + (errors.isEmpty ? "no reason given" : errors.joined(separator: "; "))
                )
            }
        }
    }

    /// Deletes through the API `target` names: the v2 override layer, a v3 override (of a
    /// rotation or of a custom shift) or a v3 custom shift (see `deleteV3`).
    public func deleteOverride(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideDeletionResult {
        guard target == .schedule else { return try await deleteV3(schedule: schedule, id: id, target: target) }
        switch try await translated(schedule, { try await client.deleteOverride(scheduleID: schedule, overrideID: id) }) {
        case .deleted: return .deleted
        case .truncated: return .truncated
        case .notFound: return .alreadyGone
        }
    }

    /// Shuts the client down (its HTTP connections).
    public func close() async {
        try? await client.shutdown()
    }

    // MARK: - Translation

    static func user(_ user: PagerDutyUser) -> DestinationUser {
        DestinationUser(id: user.id, name: user.name, email: user.email)
    }

    static func record(_ override: PagerDutyOverride) -> OverrideRecord {
        OverrideRecord(id: override.id, start: override.start, end: override.end, userID: override.user.id)
    }

    func translated<T>(_ schedule: String?, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw Self.translate(error, schedule: schedule) }
    }

    /// PagerDuty's kinds, as far as the planner and applier tell them apart; the sentence stays.
    /// A request answered "this schedule is of the other kind" is `.kindChanged` when the
    /// schedule is known (only a write or a listing of a schedule whose kind was settled can get
    /// that answer).
    static func translate(_ error: any Error, schedule: String? = nil) -> any Error {
        guard let error = error as? PagerDutyError else { return error }
        if error.kind == .wrongScheduleKind, let schedule, let now = error.scheduleKind {
            return kindChanged(schedule, from: now == .shiftBased ? .layerBased : .shiftBased)
        }
        let kind: DestinationError.Kind =
            switch error.kind {
            case .readOnlyKey: .readOnlyKey
            case .outcomeUnknown: .outcomeUnknown
            case .notFound, .scheduleNotFound: .notFound
            case .rateLimited: .rateLimited
            default: .other
            }
        return DestinationError(kind, error.message)
    }
}
