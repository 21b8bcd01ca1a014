import HandoffTime
import PagerDuty

/// What one event of a shift-based rotation becomes: a Handoff rotation (members, start, turn,
/// coverage) when its recurrence repeats every week on the wall clock and its members take whole
/// turns, else the reason it cannot be said exactly. Notes are what stays inexact in a schedule
/// that is still written (an `EXDATE`, an end); a refusal writes the schedule commented out.
struct EventMapping {
    var zone: Zone
    var zoneName: String
    var members: [String]
    var start: LocalDateTime
    /// Turn length in whole days (day and week turns keep the wall-clock handoff, as RRULEs do).
    var turnDays: Int
    var coverage: WeekCoverage
    var notes: [String]
    /// When the event starts and stops producing shifts in PagerDuty (nil: no end), and what a
    /// schedule made of it alone says about them; a successor event that continues it as a
    /// `rotation.changes` entry replaces the stop note (see `continuation`).
    var effectiveSince: Instant?
    var effectiveUntil: Instant?
    var sinceNote: String?
    var untilNote: String?

    /// The part of RFC 5545 Handoff can say: `FREQ=DAILY|WEEKLY`, `INTERVAL`, `BYDAY`, `COUNT`,
    /// `UNTIL`, `WKST`, read from the one `RRULE` line; `EXDATE` and `RDATE` lines counted.
    struct Rule {
        var weekly: Bool
        var interval = 1
        var byDay: [Int]?
        var ends: String?
        /// The first few `EXDATE` values, and how many there are.
        var exdates: [String] = []
        var exdateCount = 0
        var rdates = 0
    }

    /// The longest turn a schedule takes (52 weeks).
    static let longestTurnDays = 364

    static func rule(_ lines: [String]) -> Result<Rule, Refusal> {
        var rules: [String] = []
        var exdates: [String] = []
        var exdateCount = 0
        var rdates = 0
        guard lines.count <= 1_000 else { return .failure(Refusal("its recurrence has \(lines.count) lines")) }
        for line in lines {
            let upper = line.uppercased()
            if upper.hasPrefix("RRULE:") {
                rules.append(String(upper.dropFirst(6)))
            } else if upper.hasPrefix("EXDATE") {
                // Counted, and the first few kept to be shown: a comment only informs.
                let values = line.split(separator: ":", maxSplits: 1).last?.split(separator: ",") ?? []
                exdateCount += values.count
                exdates += values.prefix(max(0, 5 - exdates.count)).map(String.init)
            } else if upper.hasPrefix("RDATE") {
                // Extra occurrences at dates of their own: no rotation has them, so the event is
                // named, not written with them left out.
                rdates += 1
            } else {
                return .failure(Refusal("its recurrence has a line Handoff does not know (\(YAMLText.comment(String(line.prefix(60)))))"))
            }
        }
        guard rules.count == 1 else { return .failure(Refusal("its recurrence has \(rules.count) RRULE lines, not one")) }
        guard rdates == 0 else {
            return .failure(Refusal("PagerDuty adds occurrences to it at dates of their own (\(ImportWriter.count(rdates, "RDATE line"))), which a Handoff rotation cannot say"))
        }
        var rule = Rule(weekly: true)
        var frequency: String?
        for part in rules[0].split(separator: ";") {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { return .failure(Refusal("its RRULE has a part that is not NAME=VALUE")) }
            switch pieces[0] {
            case "FREQ": frequency = pieces[1]
            case "INTERVAL":
                guard let number = Int(pieces[1]), (1...1_000).contains(number) else { return .failure(Refusal("its RRULE has an INTERVAL that is not 1 to 1000")) }
                rule.interval = number
            case "BYDAY":
                let codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
                var days: [Int] = []
                for code in pieces[1].split(separator: ",") {
                    guard let day = codes.firstIndex(of: String(code)) else {
                        return .failure(Refusal("its RRULE has BYDAY=\(YAMLText.comment(String(pieces[1].prefix(40)))), which is not a list of two-letter day codes"))
                    }
                    if !days.contains(day) { days.append(day) }
                }
                rule.byDay = days.sorted()
            case "COUNT": rule.ends = "after \(YAMLText.comment(String(pieces[1].prefix(12)))) occurrences (COUNT)"
            case "UNTIL": rule.ends = "at \(YAMLText.comment(String(pieces[1].prefix(20)))) (UNTIL)"
            case "WKST": continue
            default:
                return .failure(Refusal("its RRULE uses \(YAMLText.comment(String(pieces[0].prefix(20)))), which a Handoff rotation cannot say"))
            }
        }
        switch frequency {
        case "WEEKLY"?: rule.weekly = true
        case "DAILY"?: rule.weekly = false
        default:
            return .failure(Refusal("its RRULE repeats with FREQ=\(YAMLText.comment(String((frequency ?? "(none)").prefix(20)))), and a Handoff rotation repeats daily or weekly only"))
        }
        rule.exdates = exdates
        rule.exdateCount = exdateCount
        rule.rdates = rdates
        return .success(rule)
    }

    /// Why an event is not written as a live schedule.
    struct Refusal: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The mapping of `event`, or why there is none. `key` names a member by its user id.
    static func map(_ event: PagerDutyRotationEvent, now: Instant, key: (String) throws -> String) throws -> Result<EventMapping, Refusal> {
        let zoneName = event.startTime.timeZone
        guard let zone = Zone(identifier: zoneName) else {
            return .failure(Refusal("its time zone \(YAMLText.quoted(String(zoneName.prefix(YAMLText.commentLimit)))) is not an IANA time zone Handoff knows"))
        }
        if event.endTime.timeZone != zoneName {
            return .failure(Refusal("it starts in one time zone and ends in another"))
        }
        let rule: Rule
        switch Self.rule(event.recurrence) {
        case .success(let found): rule = found
        case .failure(let refusal): return .failure(refusal)
        }
        // Members: whole people taking turns; a vacant seat or several seats at once cannot be said.
        guard let strategy = event.assignmentStrategy, !strategy.members.isEmpty else { return .failure(Refusal("it has no members")) }
        var ids: [String] = []
        guard strategy.members.count <= 20 else { return .failure(Refusal("it has \(strategy.members.count) members, more than the 20 PagerDuty allows")) }
        for member in strategy.members {
            switch member {
            case .user(let id): ids.append(id)
            case .empty: return .failure(Refusal("it has a vacant seat (an unassigned member), and a Handoff rotation has no turn without a person"))
            case .unknown: return .failure(Refusal("it has a member of a type Handoff does not know"))
            }
        }
        let perMember: Int
        if strategy.isRotating {
            perMember = min(max(1, strategy.shiftsPerMember ?? 1), 10_000)
        } else if strategy.isEveryMember {
            guard ids.count == 1 else {
                return .failure(Refusal("all \(ids.count) of its members are on call at once (every_member_assignment_strategy), and a Handoff schedule has one person on call at a time"))
            }
            perMember = 1
        } else {
            return .failure(Refusal("its members are assigned by \(YAMLText.comment(String(strategy.type.prefix(60)))), which Handoff does not know"))
        }
        // The occurrence on the wall clock of its zone, as PagerDuty expands it.
        let startSeconds = event.startTime.instant.secondsSinceEpoch + Int64(zone.offset(at: event.startTime.instant))
        let endSeconds = event.endTime.instant.secondsSinceEpoch + Int64(zone.offset(at: event.endTime.instant))
        let length = endSeconds - startSeconds
        guard length > 0 else { return .failure(Refusal("it ends before it starts")) }
        guard startSeconds % 60 == 0, length % 60 == 0 else { return .failure(Refusal("its start or length is not in whole minutes")) }
        let start = LocalDateTime(localSeconds: startSeconds)
        let startDay = start.date.weekday.rawValue - 1
        // Clamped above the longest step (1000 weeks), so a longer occurrence still overlaps the next.
        let lengthMinutes = Int(min(length / 60, 20_000_000))
        // One occurrence every `step` days, or one on each of several days of every week.
        var step: Int?
        var weekDays: [Int] = []
        switch rule.byDay {
        case nil:
            step = rule.weekly ? 7 * rule.interval : rule.interval
        case let byDay? where byDay == [startDay] && (rule.weekly || rule.interval == 1):
            step = 7 * rule.interval
        case let byDay? where byDay.count == 7 && rule.interval == 1:
            step = 1
        case let byDay?:
            guard rule.interval == 1 else {
                return .failure(Refusal("it repeats on chosen days every \(rule.interval) \(rule.weekly ? "weeks" : "days"), which no weekly coverage can say"))
            }
            guard byDay.contains(startDay) else {
                return .failure(Refusal("its first occurrence falls on a day its BYDAY does not name, which shifts every turn after it"))
            }
            weekDays = byDay
        }
        var coverage = WeekCoverage(all: false)
        let turnDays: Int
        if let step {
            // A turn is `shifts_per_member` occurrences, one every `step` days.
            let stepMinutes = step * 1_440
            guard lengthMinutes <= stepMinutes else { return .failure(Refusal("its occurrences overlap each other")) }
            turnDays = perMember * step
            if lengthMinutes == stepMinutes {
                coverage = WeekCoverage(all: true)
            } else {
                guard 7 % step == 0 else {
                    return .failure(Refusal("it covers \(lengthMinutes) minutes every \(step) days, which no weekly coverage can say"))
                }
                for day in stride(from: startDay, to: startDay + 7, by: step) {
                    coverage.mark(from: (day % 7) * 1_440 + start.minuteOfDay, length: lengthMinutes)
                }
            }
        } else {
            // Several occurrences a week: a turn is whole weeks when `shifts_per_member` is a
            // multiple of them, else turns change length from one to the next.
            guard perMember % weekDays.count == 0 else {
                return .failure(Refusal("each member holds \(perMember) of its \(weekDays.count) occurrences a week, so its turns are not all of one length"))
            }
            turnDays = perMember / weekDays.count * 7
            for day in weekDays { coverage.mark(from: day * 1_440 + start.minuteOfDay, length: lengthMinutes) }
            guard lengthMinutes * weekDays.count <= WeekCoverage.minutes, coverage.coveredCount == lengthMinutes * weekDays.count else {
                return .failure(Refusal("its occurrences overlap each other"))
            }
        }
        guard turnDays <= longestTurnDays else { return .failure(Refusal("its turns last \(turnDays) days, longer than the 52 weeks a Handoff turn may last")) }
        var notes: [String] = []
        if let ends = rule.ends { notes.append("its recurrence ends \(ends) in PagerDuty, and Handoff has no end for a rotation: remove this schedule then") }
        if rule.exdateCount > 0 {
            let shown = rule.exdates.map { YAMLText.comment(String($0.prefix(40))) }.joined(separator: ", ")
            notes.append("PagerDuty skips \(ImportWriter.count(rule.exdateCount, "occurrence")) (EXDATE \(shown)\(rule.exdateCount > rule.exdates.count ? ", …" : "")), which this rotation does not")
        }
        let sinceNote = event.effectiveSince.flatMap { since in since > now ? "it takes effect at \(since) in PagerDuty; Handoff exports its turns from now on" : nil }
        let untilNote = event.effectiveUntil.map { "it stops at \($0) in PagerDuty (effective_until), and Handoff has no end for a rotation: remove this schedule then" }
        let members = try ids.map(key)
        return .success(
            EventMapping(
                zone: zone, zoneName: zoneName, members: members, start: start, turnDays: turnDays, coverage: coverage, notes: notes,
                effectiveSince: event.effectiveSince, effectiveUntil: event.effectiveUntil, sinceNote: sinceNote, untilNote: untilNote
            )
        )
    }
}
