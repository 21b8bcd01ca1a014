public import Foundation

/// Anything that knows a zone's UTC offset at every instant; wall-clock conversions are built on
/// that one question so that the slow (system) and fast (precomputed) sources agree exactly.
public protocol ZoneOffsets: Sendable {
    /// Seconds east of UTC in force at `secondsSinceEpoch`.
    func offset(atSeconds secondsSinceEpoch: Int64) -> Int
}

extension ZoneOffsets {
    public func offset(at instant: Instant) -> Int { offset(atSeconds: instant.secondsSinceEpoch) }

    /// The instant a wall-clock time stands for, by the rules of RFC 5545 (and Foundation's
    /// `Calendar`): a time inside a spring-forward gap is read with the offset in force before
    /// the gap (02:30 becomes 03:30 when clocks jump from 02:00 to 03:00); a time in a fall-back
    /// overlap takes the earlier of its two instants.
    public func instant(for local: LocalDateTime) -> Instant {
        instant(forLocalSeconds: local.localSeconds)
    }

    public func instant(forLocalSeconds local: Int64) -> Instant {
        // No zone is further than 14 hours from UTC, so the offsets 15 hours either side of the
        // local reading are the ones before and after any transition near it.
        let earlier = offset(atSeconds: local - 15 * 3600)
        let later = offset(atSeconds: local + 15 * 3600)
        let first = local - Int64(earlier)
        if offset(atSeconds: first) == earlier { return Instant(secondsSinceEpoch: first) }
        let second = local - Int64(later)
        if offset(atSeconds: second) == later { return Instant(secondsSinceEpoch: second) }
        return Instant(secondsSinceEpoch: first)
    }

    /// The wall-clock reading at `instant` (seconds dropped).
    public func local(at instant: Instant) -> LocalDateTime {
        LocalDateTime(localSeconds: instant.secondsSinceEpoch + Int64(offset(at: instant)))
    }
}

/// An IANA time zone from the system's time zone database, named as the configuration named it.
public struct Zone: ZoneOffsets, Hashable, CustomStringConvertible {
    /// The name as written (`Europe/Berlin`, `UTC`); Foundation may report aliases differently.
    public let identifier: String
    public let timeZone: TimeZone

    /// Accepts names of the IANA database only: `Europe/Berlin`, `UTC`, `Etc/GMT+5`, but not
    /// Foundation's looser forms such as `GMT+5` or abbreviations it happens to recognise.
    public init?(identifier: String) {
        guard Zone.isIANAName(identifier), let timeZone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.timeZone = timeZone
    }

    public static let utc: Zone = {
        guard let zone = Zone(identifier: "UTC") else {
            preconditionFailure("the system time zone database has no UTC")
        }
        return zone
    }()

    public var description: String { identifier }

    public func offset(atSeconds secondsSinceEpoch: Int64) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(secondsSinceEpoch)))
    }

    /// A precomputed table of this zone's offsets over `range`, for conversions in bulk.
    public func timeline(covering range: InstantRange) -> ZoneTimeline {
        ZoneTimeline(zone: self, range: range)
    }

    /// Every name the zone database knows, for "did you mean" suggestions.
    public static var knownIdentifiers: [String] {
        var names = Set(TimeZone.knownTimeZoneIdentifiers)
        names.insert("UTC")
        names.insert("Etc/UTC")
        return names.sorted()
    }

    static func isIANAName(_ name: String) -> Bool {
        if TimeZone.knownTimeZoneIdentifiers.contains(name) || name == "UTC" || name == "Etc/UTC" { return true }
        // Links and legacy names (US/Eastern, Asia/Calcutta, EST5EDT) live in the system database
        // even when Foundation does not list them.
        let directory = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains(".."), !name.hasPrefix("posix"), !name.hasPrefix("right") else {
            return false
        }
        var isDirectory: ObjCBool = false
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else { return false }
        defer { try? handle.close() }
        // A zone file starts with the magic "TZif".
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data("TZif".utf8)
    }
}

/// A zone's offsets over a bounded range, looked up by binary search instead of asking the system
/// each time: expanding a year of shifts converts millions of wall-clock times.
public struct ZoneTimeline: ZoneOffsets {
    public let zone: Zone
    public let range: InstantRange
    private let initialOffset: Int
    /// Instants at which the offset changes, with the offset from then on, in order.
    private let transitions: [(at: Int64, offset: Int)]

    init(zone: Zone, range: InstantRange) {
        self.zone = zone
        // Pad by two days so conversions near the edges (which look 15 hours either side) stay inside.
        let padded = InstantRange(start: range.start.adding(seconds: -2 * 86_400), end: range.end.adding(seconds: 2 * 86_400))
        self.range = padded
        var transitions: [(Int64, Int)] = []
        var cursor = padded.start.secondsSinceEpoch
        var current = zone.offset(atSeconds: cursor)
        self.initialOffset = current
        let end = padded.end.secondsSinceEpoch
        while cursor < end {
            let date = Date(timeIntervalSince1970: TimeInterval(cursor))
            var next = zone.timeZone.nextDaylightSavingTimeTransition(after: date)
                .map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? end
            if next <= cursor { next = cursor + 1 }
            next = min(next, end)
            // Foundation reports daylight-saving transitions; a change of standard offset can hide
            // between two of them, so check and find it by bisection.
            if zone.offset(atSeconds: next - 1) != current {
                var low = cursor
                var high = next - 1
                while high - low > 1 {
                    let middle = low + (high - low) / 2
                    if zone.offset(atSeconds: middle) == current { low = middle } else { high = middle }
                }
                next = high
            }
            guard next < end else { break }
            let offset = zone.offset(atSeconds: next)
            if offset != current {
                transitions.append((next, offset))
                current = offset
            }
            cursor = next
        }
        self.transitions = transitions
    }

    public func offset(atSeconds seconds: Int64) -> Int {
        guard seconds >= range.start.secondsSinceEpoch, seconds < range.end.secondsSinceEpoch else {
            return zone.offset(atSeconds: seconds)
        }
        // Last transition at or before `seconds`.
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle].at <= seconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? initialOffset : transitions[low - 1].offset
    }
}
