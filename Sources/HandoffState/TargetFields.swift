public import HandoffDestination

/// An override's target as the stores write it: a type and at most two ids, the same in the
/// local state file (an object) and in PostgreSQL (three columns). `.schedule` has no fields at
/// all, so states written before targets existed, and every layer-based record since, read and
/// write exactly as before.
public struct TargetFields: Sendable, Hashable {
    /// `rotation`, `custom_shift` or `custom_shift_override`.
    public var type: String
    /// The rotation's id (`rotation`) or the custom shift's (`custom_shift_override`).
    public var id: String?
    /// The member replaced (nil: a vacant seat).
    public var replacing: String?

    public init(type: String, id: String?, replacing: String?) {
        self.type = type
        self.id = id
        self.replacing = replacing
    }

    public static let rotation = "rotation"
    public static let customShift = "custom_shift"
    public static let customShiftOverride = "custom_shift_override"

    /// The fields of `target`; nil for `.schedule`, which is written as nothing.
    public init?(_ target: OverrideTarget) {
        switch target {
        case .schedule: return nil
        case .rotation(let id, let replacing): self.init(type: Self.rotation, id: id, replacing: replacing)
        case .customShift: self.init(type: Self.customShift, id: nil, replacing: nil)
        case .customShiftOverride(let id, let replacing): self.init(type: Self.customShiftOverride, id: id, replacing: replacing)
        }
    }

    /// The target these fields name, or a sentence saying what is wrong with them (a state is
    /// input: an unknown type, or an id missing where the type needs one, is refused, not guessed).
    public func target() -> Result<OverrideTarget, TargetFieldsProblem> {
        switch type {
        case Self.rotation:
            guard let id, !id.isEmpty else { return .failure(TargetFieldsProblem(description: "its rotation target names no rotation")) }
            return .success(.rotation(id: id, replacing: replacing.flatMap { $0.isEmpty ? nil : $0 }))
        case Self.customShift:
            return .success(.customShift)
        case Self.customShiftOverride:
            guard let id, !id.isEmpty else { return .failure(TargetFieldsProblem(description: "its custom-shift override target names no custom shift")) }
            return .success(.customShiftOverride(id: id, replacing: replacing.flatMap { $0.isEmpty ? nil : $0 }))
        default:
            return .failure(TargetFieldsProblem(description: "its target type is not rotation, custom_shift or custom_shift_override"))
        }
    }
}

/// Why stored target fields name no target.
public struct TargetFieldsProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}
