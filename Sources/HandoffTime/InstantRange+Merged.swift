extension Sequence<InstantRange> {
    /// The same instants as sorted, disjoint, non-empty ranges: overlapping ranges, and ranges
    /// that touch (one ends where the next starts), become one. The one way Handoff unions ranges
    /// (coverage windows, time off, the simulated PagerDuty's restrictions).
    public func merged() -> [InstantRange] {
        var merged: [InstantRange] = []
        for range in sorted() where !range.isEmpty {
            if let last = merged.last, range.start <= last.end {
                merged[merged.count - 1].end = Swift.max(last.end, range.end)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
