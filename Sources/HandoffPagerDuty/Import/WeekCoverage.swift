import HandoffTime
import PagerDuty

/// The minutes of a week (Monday 00:00 first, wall-clock time) in which a layer may be on call:
/// PagerDuty's daily and weekly restrictions in, Handoff's coverage windows out. Working on the
/// minutes of the week makes precedence between layers a set difference.
struct WeekCoverage: Equatable {
    static let minutes = 7 * 1_440
    private(set) var covered: [Bool]

    init(all: Bool) {
        covered = Array(repeating: all, count: Self.minutes)
    }

    /// From a layer's restrictions; none means around the clock.
    init(_ restrictions: [PagerDutyRestriction], notes: inout [String]) throws {
        guard !restrictions.isEmpty else {
            self.init(all: true)
            return
        }
        self.init(all: false)
        for restriction in restrictions {
            let parts = restriction.startTimeOfDay.split(separator: ":").map { Int($0) }
            guard parts.count >= 2, parts.allSatisfy({ $0 != nil }), let hour = parts[0], let minute = parts[1], (0..<24).contains(hour), (0..<60).contains(minute) else {
                throw ImportWriter.Failure(description: "a restriction starts at \"\(restriction.startTimeOfDay)\", which is not a time of day")
            }
            let seconds = parts.count > 2 ? (parts[2] ?? 0) : 0
            if seconds != 0 || restriction.durationSeconds % 60 != 0 {
                notes.append("a restriction is not in whole minutes (\(restriction.startTimeOfDay) for \(restriction.durationSeconds) seconds) and is rounded down to the minute")
            }
            let length = min(Self.minutes, max(0, restriction.durationSeconds / 60))
            let time = hour * 60 + minute
            switch restriction.type {
            case "daily_restriction":
                for day in 0..<7 { mark(from: day * 1_440 + time, length: min(length, 1_440)) }
            case "weekly_restriction":
                let day = (restriction.startDayOfWeek ?? 1) - 1
                guard (0..<7).contains(day) else {
                    throw ImportWriter.Failure(description: "a weekly restriction starts on day \(restriction.startDayOfWeek ?? 0) of the week; PagerDuty counts 1 (Monday) to 7 (Sunday)")
                }
                mark(from: day * 1_440 + time, length: length)
            default:
                throw ImportWriter.Failure(description: "a restriction is of type \"\(restriction.type)\", which Handoff does not know")
            }
        }
    }

    mutating func mark(from start: Int, length: Int) {
        for offset in 0..<min(max(0, length), Self.minutes) { covered[(start + offset) % Self.minutes] = true }
    }

    /// Covered minutes of the week.
    var coveredCount: Int { covered.lazy.filter { $0 }.count }

    /// Whether the minute `index` of the week (Monday 00:00 is 0) is covered.
    func contains(minute index: Int) -> Bool { covered[((index % Self.minutes) + Self.minutes) % Self.minutes] }

    /// Whether some minute is covered by both.
    func overlaps(_ other: WeekCoverage) -> Bool { covered.indices.contains { covered[$0] && other.covered[$0] } }

    var isEmpty: Bool { !covered.contains(true) }
    var isFull: Bool { !covered.contains(false) }

    func subtracting(_ other: WeekCoverage) -> WeekCoverage {
        var result = self
        for index in covered.indices where other.covered[index] { result.covered[index] = false }
        return result
    }

    mutating func formUnion(_ other: WeekCoverage) {
        for index in covered.indices where other.covered[index] { covered[index] = true }
    }

    /// Handoff coverage windows, as flow mappings: each run of covered minutes is one window when
    /// it is shorter than a day (crossing midnight if it does), else one window per day it touches;
    /// windows with the same times are grouped by their days.
    func windows() -> [String] {
        guard !isEmpty, !isFull else { return [] }
        // Runs on the circular week, starting where a covered minute follows an uncovered one.
        var runs: [(start: Int, length: Int)] = []
        for start in 0..<Self.minutes where covered[start] && !covered[(start + Self.minutes - 1) % Self.minutes] {
            var length = 0
            while length < Self.minutes, covered[(start + length) % Self.minutes] { length += 1 }
            runs.append((start, length))
        }
        var pieces: [(day: Int, from: Int, to: Int)] = []
        for run in runs {
            let day = run.start / 1_440
            let from = run.start % 1_440
            if run.length < 1_440 || (from == 0 && run.length == 1_440) {
                pieces.append((day, from, from + run.length))
                continue
            }
            var remaining = run.length
            var current = day
            var start = from
            while remaining > 0 {
                let piece = min(remaining, 1_440 - start)
                pieces.append((current % 7, start, start + piece))
                remaining -= piece
                current += 1
                start = 0
            }
        }
        var groups: [(from: Int, to: Int, days: [Int])] = []
        for piece in pieces.sorted(by: { ($0.day, $0.from) < ($1.day, $1.from) }) {
            if let index = groups.firstIndex(where: { $0.from == piece.from && $0.to == piece.to }) {
                groups[index].days.append(piece.day)
            } else {
                groups.append((piece.from, piece.to, [piece.day]))
            }
        }
        let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        return groups.map { group in
            let days = group.days.count == 7 ? "" : "days: [\(group.days.sorted().map { dayNames[$0] }.joined(separator: ", "))], "
            return "{ \(days)from: \"\(Self.clock(group.from))\", to: \"\(Self.clock(group.to))\" }"
        }
    }

    /// `HH:MM`; 1440 and beyond wrap to the next day, except that a window ending at midnight ends at "24:00".
    private static func clock(_ minutes: Int) -> String {
        let wrapped = minutes == 1_440 ? 1_440 : minutes % 1_440
        let hours = wrapped / 60
        let rest = wrapped % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}
