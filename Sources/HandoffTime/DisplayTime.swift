/// Times as people read them in plans and reports: `Mon 2026-12-14 09:00` in a schedule's zone,
/// followed by the offset (`+01:00`), written once when both ends of a span share it.
public enum DisplayTime {
    /// `Mon 2026-12-14 09:00`.
    public static func local(_ instant: Instant, in zone: some ZoneOffsets) -> String {
        let local = zone.local(at: instant)
        return "\(local.date.weekday.abbreviation) \(local.date) \(local.time)"
    }

    /// `Mon 2026-12-14 09:00 +01:00`.
    public static func withOffset(_ instant: Instant, in zone: some ZoneOffsets) -> String {
        "\(local(instant, in: zone)) \(Instant.offsetText(zone.offset(at: instant)))"
    }

    /// `Mon 2026-12-14 09:00 → Mon 2026-12-21 09:00 +01:00`, or with both offsets when they differ.
    public static func span(_ range: InstantRange, in zone: some ZoneOffsets) -> String {
        let startOffset = zone.offset(at: range.start)
        let endOffset = zone.offset(at: range.end)
        if startOffset == endOffset {
            return "\(local(range.start, in: zone)) → \(local(range.end, in: zone)) \(Instant.offsetText(startOffset))"
        }
        return "\(withOffset(range.start, in: zone)) → \(withOffset(range.end, in: zone))"
    }

    /// RFC 3339 with the zone's offset at that instant.
    public static func rfc3339(_ instant: Instant, in zone: some ZoneOffsets) -> String {
        instant.rfc3339(offsetSeconds: zone.offset(at: instant))
    }
}
