public import HandoffDestination
public import HandoffTime
public import PagerDuty

/// PagerDuty's v2 REST API as an override destination: a layer-based schedule's override layer,
/// through one `PagerDutyClient` (its key, rate limits and retries). PagerDuty's failures become
/// `DestinationError`s with PagerDuty's own sentences, word for word.
public final class PagerDutyDestination: OverrideDestination {
    public let client: PagerDutyClient

    public init(client: PagerDutyClient) {
        self.client = client
    }

    /// PagerDuty documents no limit for a bulk create; Handoff sends at most 1000 at once (the
    /// bound of `--batch-size`). Overrides cannot be changed in place in the v2 API.
    public var capabilities: DestinationCapabilities { DestinationCapabilities(maxBatchSize: 1000, updatesInPlace: false) }

    public func resolveUsers(emails: [String]) async throws -> [String: DestinationUser] {
        let resolution = try await translated { try await client.resolveUsers(emails: emails) }
        return resolution.users.mapValues(Self.user)
    }

    public func user(id: String) async throws -> DestinationUser? {
        do {
            return Self.user(try await client.user(id: id))
        } catch let error as PagerDutyError where error.kind == .notFound {
            return nil
        } catch {
            throw Self.translate(error)
        }
    }

    public func overrides(schedule: String, overlapping window: InstantRange) async throws -> [OverrideRecord] {
        try await translated { try await client.overrides(scheduleID: schedule, overlapping: window) }.map(Self.record)
    }

    public func createOverrides(schedule: String, _ overrides: [PlannedOverride]) async throws -> [OverrideCreationResult] {
        try await translated { try await client.createOverrides(scheduleID: schedule, overrides) }.map { result in
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

    public func deleteOverride(schedule: String, id: String, target: OverrideTarget) async throws -> OverrideDeletionResult {
        switch try await translated({ try await client.deleteOverride(scheduleID: schedule, overrideID: id) }) {
        case .deleted: .deleted
        case .truncated: .truncated
        case .notFound: .alreadyGone
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

    private func translated<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw Self.translate(error) }
    }

    /// PagerDuty's kinds, as far as the planner and applier tell them apart; the sentence stays.
    static func translate(_ error: any Error) -> any Error {
        guard let error = error as? PagerDutyError else { return error }
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
