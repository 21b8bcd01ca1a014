public import HandoffDestination
import HandoffConfig
import HandoffRota
import HandoffState
import HandoffTime

/// Plan actions as the reconciler makes them, orders them and fingerprints what it saw.
extension Reconciler {
    static func action(
        _ kind: PlanAction.Kind,
        _ start: Instant,
        _ end: Instant,
        _ userID: String,
        _ input: Input,
        id: String? = nil,
        reason: PlanAction.Reason? = nil,
        target: OverrideTarget = .schedule
    ) -> PlanAction {
        let entry = input.directory.entry(userID)
        return PlanAction(
            kind: kind, start: start, end: end, userID: userID, person: entry.name, email: entry.email, overrideID: id, reason: reason, target: target,
            replacedPerson: target.replacedUserID.map { input.directory.entry($0).name }
        )
    }

    /// Creates, moves, deletes, adoptions, kept and drift, each by start.
    static func ordered(_ actions: [PlanAction]) -> [PlanAction] {
        let rank: [PlanAction.Kind: Int] = [.create: 0, .move: 1, .delete: 2, .adopt: 3, .keep: 4, .drift: 5]
        return actions.sorted { lhs, rhs in
            let left = (rank[lhs.kind] ?? 9, lhs.start, lhs.end, lhs.userID, lhs.overrideID ?? "")
            let right = (rank[rhs.kind] ?? 9, rhs.start, rhs.end, rhs.userID, rhs.overrideID ?? "")
            return left < right
        }
    }

    static func overlapsAny(_ range: InstantRange, _ sorted: [InstantRange]) -> Bool {
        // First desired range that ends after the start; overlaps if it starts before the end.
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].end <= range.start { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low].start < range.end
    }


    /// A short digest of a schedule's live overrides, so `apply` can tell that PagerDuty changed
    /// since the plan was made (FNV-1a, 64 bits; a check, not a security measure).
    public static func fingerprint(_ overrides: [OverrideRecord]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        func mix(_ value: Int64) {
            for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: value >> Int64(shift))) }
        }
        for override in overrides.sorted(by: { $0.id < $1.id }) {
            for byte in override.id.utf8 { mix(byte) }
            mix(UInt8(ascii: "|"))
            mix(override.start.secondsSinceEpoch)
            mix(override.end.secondsSinceEpoch)
            for byte in override.userID.utf8 { mix(byte) }
            mix(UInt8(ascii: "\n"))
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
