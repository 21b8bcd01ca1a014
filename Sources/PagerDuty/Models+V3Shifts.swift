import Foundation
public import HandoffTime

// MARK: - Writing

/// An override to create on a shift-based schedule: on `target`, `overridingMember` takes
/// `overriddenMember`'s place over `[start, end)`. Split at the rotation's handoffs first: one
/// override names one overridden member.
public struct NewOverrideShift: Sendable, Hashable {
    public var target: PagerDutyOverrideTarget
    public var start: Instant
    public var end: Instant
    public var overriddenMember: PagerDutyShiftMember
    public var overridingMember: PagerDutyShiftMember

    public init(target: PagerDutyOverrideTarget, start: Instant, end: Instant, overriddenMember: PagerDutyShiftMember, overridingMember: PagerDutyShiftMember) {
        self.target = target
        self.start = start
        self.end = end
        self.overriddenMember = overriddenMember
        self.overridingMember = overridingMember
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

/// A custom shift to create: `member` on call over `[start, end)`, beside whoever else is.
public struct NewCustomShift: Sendable, Hashable {
    public var start: Instant
    public var end: Instant
    public var member: PagerDutyShiftMember

    public init(start: Instant, end: Instant, member: PagerDutyShiftMember) {
        self.start = start
        self.end = end
        self.member = member
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}

/// What a PUT on an override changes: only these three fields can be changed in place (the
/// target and the overridden member cannot; that takes a delete and a create). Nil leaves a
/// field as it is. Once an override has started, whether PagerDuty accepts more than a new end
/// is unconfirmed.
public struct OverrideShiftChange: Sendable, Hashable {
    public var start: Instant?
    public var end: Instant?
    public var overridingMember: PagerDutyShiftMember?

    public init(start: Instant? = nil, end: Instant? = nil, overridingMember: PagerDutyShiftMember? = nil) {
        self.start = start
        self.end = end
        self.overridingMember = overridingMember
    }
}

/// What a PUT on a custom shift changes; after its start PagerDuty accepts only a new end.
public struct CustomShiftChange: Sendable, Hashable {
    public var start: Instant?
    public var end: Instant?
    public var member: PagerDutyShiftMember?

    public init(start: Instant? = nil, end: Instant? = nil, member: PagerDutyShiftMember? = nil) {
        self.start = start
        self.end = end
        self.member = member
    }
}

/// What a bulk create on v3 did. v3 has no per-item status: PagerDuty either created the whole
/// request or refused it with one 400.
public enum ShiftBatchCreation<Created: Sendable & Hashable>: Sendable, Hashable {
    /// 201: every item, in the order requested, with its id.
    case created([Created])
    /// 400: none was created (as documented; whether PagerDuty ever creates part of a refused
    /// batch is unconfirmed). The error carries PagerDuty's message and every detail string, so
    /// the caller can show them and try the items one by one to find the bad one.
    case refused(PagerDutyError)
}

/// What a DELETE of an override or a custom shift did, in the cases PagerDuty tells apart.
public enum ShiftDeletion: Sendable, Hashable {
    /// 204: removed if it had not started, cut to end now if it had (v3 answers both alike).
    case deleted
    /// 200: cut to end now, its past part kept (v2's answer; unconfirmed on v3 but handled).
    case truncated
    /// 404: there was no such object (already deleted): the goal is met.
    case notFound
    /// 400: it has already ended, so there was nothing left to delete (documented for custom
    /// shifts, unconfirmed for overrides): the goal is met. PagerDuty's reasons, escaped.
    case alreadyEnded([String])
}

// MARK: - Custom shifts and overrides

/// A one-off shift that adds its member to the schedule's on-call (`custom_shift`).
public struct PagerDutyCustomShift: Sendable, Hashable, Decodable {
    public var id: String
    public var start: Instant
    public var end: Instant
    /// Exactly one in PagerDuty's schema; read as a list, since an answer may hold more or none.
    public var members: [PagerDutyShiftMember]

    enum CodingKeys: String, CodingKey {
        case id, assignments
        case start = "start_time"
        case end = "end_time"
    }

    private struct Assignment: Decodable {
        var member: PagerDutyShiftMember?
    }

    public init(id: String, start: Instant, end: Instant, members: [PagerDutyShiftMember]) {
        self.id = id
        self.start = start
        self.end = end
        self.members = members
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        start = try container.decode(Instant.self, forKey: .start)
        end = try container.decode(Instant.self, forKey: .end)
        members = (try container.decodeIfPresent([Assignment].self, forKey: .assignments) ?? []).compactMap(\.member)
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
    /// The one member PagerDuty's schema allows, when there is exactly one.
    public var member: PagerDutyShiftMember? { members.count == 1 ? members.first : nil }
}

/// What an override replaces: one rotation's assignment, or one custom shift's.
public enum PagerDutyOverrideTarget: Sendable, Hashable {
    case rotation(id: String)
    case customShift(id: String)
}

/// An override on a shift-based schedule (`override_shift`): during `[start, end)` it puts
/// `overridingMember` where its rotation or custom shift put `overriddenMember`, for that source
/// only. PagerDuty's own examples leave out the target and the members, so they are optional.
public struct PagerDutyOverrideShift: Sendable, Hashable, Decodable {
    public var id: String
    public var target: PagerDutyOverrideTarget?
    public var start: Instant
    public var end: Instant
    public var overriddenMember: PagerDutyShiftMember?
    public var overridingMember: PagerDutyShiftMember?

    enum CodingKeys: String, CodingKey {
        case id
        case rotationID = "rotation_id"
        case customShiftID = "custom_shift_id"
        case start = "start_time"
        case end = "end_time"
        case overriddenMember = "overridden_member"
        case overridingMember = "overriding_member"
    }

    public init(
        id: String,
        target: PagerDutyOverrideTarget?,
        start: Instant,
        end: Instant,
        overriddenMember: PagerDutyShiftMember?,
        overridingMember: PagerDutyShiftMember?
    ) {
        self.id = id
        self.target = target
        self.start = start
        self.end = end
        self.overriddenMember = overriddenMember
        self.overridingMember = overridingMember
    }

    /// Reads a target only when exactly one of `rotation_id` and `custom_shift_id` is given (both
    /// is an answer PagerDuty's own rules forbid: which one counts would be a guess).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        start = try container.decode(Instant.self, forKey: .start)
        end = try container.decode(Instant.self, forKey: .end)
        let rotation = try container.decodeIfPresent(String.self, forKey: .rotationID)
        let customShift = try container.decodeIfPresent(String.self, forKey: .customShiftID)
        switch (rotation, customShift) {
        case (let rotation?, nil): target = .rotation(id: rotation)
        case (nil, let customShift?): target = .customShift(id: customShift)
        default: target = nil
        }
        overriddenMember = try container.decodeIfPresent(PagerDutyShiftMember.self, forKey: .overriddenMember)
        overridingMember = try container.decodeIfPresent(PagerDutyShiftMember.self, forKey: .overridingMember)
    }

    public var range: InstantRange { InstantRange(start: start, end: end) }
}
