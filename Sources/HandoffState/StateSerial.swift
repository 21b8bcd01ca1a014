// MARK: - Serial bounds

extension HandoffState {
    /// The largest serial Handoff writes: 2^53 − 1, the largest whole number every JSON reader
    /// keeps exactly. A state is written once per apply, so no honest history comes near it; a
    /// state file at it or beyond was edited by hand (or by a hostile change), and is refused when
    /// it is read, before any PagerDuty call, instead of overflowing after them.
    public static let maximumSerial = 9_007_199_254_740_991

    /// Why a state at `serial` cannot be read and written again (a next serial must exist); nil
    /// when it can. `recovery` names where the serial is set, for the advice.
    public static func serialProblem(_ serial: Int, recovery: String = "set \"serial\" in it") -> String? {
        guard serial < 0 || serial >= maximumSerial else { return nil }
        return "its serial \(serial) is not between 0 and \(maximumSerial - 1); \(recovery) to a whole number in that range (1 will do) and make a new plan"
    }

    /// The serial after `serial`, checked: an error instead of an overflow.
    public static func serial(after serial: Int, store: String) throws -> Int {
        guard serial >= 0, serial < maximumSerial else {
            throw StateError(.unreadable, "the \(store) is at serial \(serial), and Handoff counts serials only up to \(maximumSerial); nothing was written")
        }
        return serial + 1
    }
}
