public import HandoffDestination

/// What the plan needs to know of a target beyond the destination's own use of it.
extension OverrideTarget {
    /// The user an override of this target replaces: a rotation's or a custom shift's member; nil
    /// for a vacant seat, the whole schedule and a custom shift.
    public var replacedUserID: String? {
        switch self {
        case .rotation(_, let replacing), .customShiftOverride(_, let replacing): replacing
        case .schedule, .customShift: nil
        }
    }
}
