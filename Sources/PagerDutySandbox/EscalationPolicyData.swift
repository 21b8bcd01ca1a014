// MARK: - Escalation policies: what the account stores

/// An escalation policy created or changed through `/escalation_policies` (checklist row 7).
/// Every layered schedule, and every shift-based one marked `referencedByEscalationPolicy`, also
/// has a built-in policy of its own (`E` + the schedule id's tail) that is not stored; a PUT on
/// such a policy stores it, and the stored one stands in its place from then on.
public struct SandboxEscalationPolicy: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var description: String?
    public var numLoops: Int
    public var rules: [SandboxEscalationRule]

    public init(id: String, name: String, description: String? = nil, numLoops: Int = 0, rules: [SandboxEscalationRule]) {
        self.id = id
        self.name = name
        self.description = description
        self.numLoops = numLoops
        self.rules = rules
    }

    /// Whether a rule targets the schedule `id` (as a layered or a shift-based reference).
    func references(scheduleID id: String) -> Bool {
        rules.contains { $0.targets.contains { $0.id == id && $0.isSchedule } }
    }
}

public struct SandboxEscalationRule: Sendable, Codable, Hashable {
    public var id: String
    public var delayMinutes: Int
    public var targets: [SandboxEscalationTarget]

    public init(id: String, delayMinutes: Int, targets: [SandboxEscalationTarget]) {
        self.id = id
        self.delayMinutes = delayMinutes
        self.targets = targets
    }
}

/// A rule's target: a user (`user_reference`) or a schedule (`schedule_reference` for a layered
/// one, `schedule_v3_reference` for a shift-based one).
public struct SandboxEscalationTarget: Sendable, Codable, Hashable {
    public var type: String
    public var id: String

    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }

    var isSchedule: Bool { type != "user_reference" }
}
