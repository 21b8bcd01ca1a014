import Foundation
import HandoffTime
import OrderedJSON

/// `GET /oncalls` items for shift-based schedules (checklist row 7): one per person and stretch,
/// from the final schedule, with the schedule as a `schedule_v3_reference`, once for each
/// escalation policy that targets it (at the level of its first rule that does). Only schedules a
/// policy uses appear (as in `/oncalls` for layered ones).
extension SandboxAPI {
    func v3OnCalls(since: Instant, until: Instant, zone: Zone, query: QueryParameters, earliestSeen: inout Set<String>) async -> [(Instant, String, JSONValue)] {
        let scheduleFilter = Set(query.all("schedule_ids"))
        let userFilter = Set(query.all("user_ids"))
        var items: [(Instant, String, JSONValue)] = []
        let allPolicies = await allEscalationPolicies()
        // One stepping budget for the request, shared by every schedule it expands.
        var steps = V3StepBudget()
        for schedule in await store.allSchedules() where schedule.isV3 {
            if !scheduleFilter.isEmpty, !scheduleFilter.contains(schedule.id) { continue }
            let policies = Self.escalationPolicies(allPolicies, using: schedule.id)
            if policies.isEmpty { continue }
            let window = InstantRange(start: since, end: until.adding(seconds: 1))
            var stretches: [(userID: String, range: InstantRange)] = []
            let assignments = V3FinalSchedule.assignments(schedule.v3 ?? SandboxV3Details(), window: window, fixedUTC: quirks.v3.expandInFixedUTC, steps: &steps)
            for assignment in assignments {
                guard let userID = assignment.member.userID else { continue }
                if let index = stretches.lastIndex(where: { $0.userID == userID && $0.range.end == assignment.range.start }) {
                    stretches[index].range.end = assignment.range.end
                } else {
                    stretches.append((userID, assignment.range))
                }
            }
            for (policy, level) in policies {
                for stretch in stretches where stretch.range.start <= until && since < stretch.range.end {
                    if !userFilter.isEmpty, !userFilter.contains(stretch.userID) { continue }
                    if query.flag("earliest") {
                        guard earliestSeen.insert("\(schedule.id)/\(policy.id)/\(level)/\(stretch.userID)").inserted else { continue }
                    }
                    guard let user = await store.user(id: stretch.userID) else { continue }
                    let json = JSONValue.object([
                        ("user", userReference(user)),
                        ("schedule", .object([
                            ("id", .string(schedule.id)), ("type", .string("schedule_v3_reference")), ("summary", .string(schedule.name)),
                            ("self", v3Self(schedule.id)), ("html_url", .string("\(Self.webBase)/schedules/\(schedule.id)")),
                        ])),
                        ("escalation_policy", policyReference(policy)),
                        ("escalation_level", .int(level)),
                        ("start", time(stretch.range.start, zone)),
                        ("end", time(stretch.range.end, zone)),
                    ])
                    items.append((stretch.range.start, schedule.id, json))
                }
            }
        }
        return items
    }
}
