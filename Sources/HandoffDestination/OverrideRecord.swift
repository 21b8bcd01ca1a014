public import HandoffTime

/// An override: a user on call over `[start, end)` on a destination schedule, under the id the
/// destination gave it. One type for what a destination lists and what the state records as
/// Handoff's own, so that comparing them needs no conversion.
public struct OverrideRecord: Sendable, Hashable {
    public var id: String
    public var start: Instant
    public var end: Instant
    public var userID: String
    /// A mark only the state sets (a destination's listing never does): set durably before the
    /// DELETE of this override is sent, so that a run killed between the destination's
    /// confirmation and the record of it leaves a record the next plan resolves by listing (gone:
    /// Handoff deleted it; present: still Handoff's), never one that looks like a person deleted it.
    public var deletePending: Bool
    /// Where it acts (`.schedule` on a layer-based schedule): part of what makes a listed object
    /// equal to a desired one.
    public var target: OverrideTarget

    public init(id: String, start: Instant, end: Instant, userID: String, deletePending: Bool = false, target: OverrideTarget = .schedule) {
        self.id = id
        self.start = start
        self.end = end
        self.userID = userID
        self.deletePending = deletePending
        self.target = target
    }
}
