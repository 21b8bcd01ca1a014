import Foundation
import HandoffImport
import OrderedJSON
import PagerDuty

/// `handoff import --list`: every schedule the key can see, layer-based (v2) and shift-based (v3)
/// together, each with its kind. PagerDuty lists the two kinds through two APIs (neither returns
/// both), and a shift-based schedule's list item holds only its id and name, so its time zone,
/// rotations and members come from one read of each.
extension ImportCommand {
    /// One row of the list.
    struct ListedSchedule: Sendable, Hashable {
        var id: String
        var name: String
        var timeZone: String
        var kind: ScheduleKind
        /// Layers of a layer-based schedule, rotations of a shift-based one.
        var parts: Int
        var members: Int

        init(_ schedule: PagerDutySchedule) {
            id = schedule.id
            name = schedule.name
            timeZone = schedule.timeZone
            kind = .layerBased
            parts = schedule.scheduleLayers.count
            members = schedule.layerMemberIDs.count
        }

        init(_ schedule: PagerDutyV3Schedule) {
            id = schedule.id
            name = schedule.name
            timeZone = schedule.timeZone
            kind = .shiftBased
            parts = schedule.rotations.count
            let users = schedule.rotations.flatMap(\.events).flatMap { $0.assignmentStrategy?.members ?? [] }.compactMap(\.userID)
            members = Set(users).count
        }
    }

    /// Shift-based schedules read at once while listing; the client's own limit on requests in
    /// flight applies beneath it.
    static let listReadsInFlight = 8

    /// The layer-based schedules (`GET /schedules`), then the shift-based ones (`GET
    /// /v3/schedules`, each read for its details). An id both APIs list is shown once, as
    /// shift-based; one deleted between the list and its read is left out.
    static func listSchedules(_ client: PagerDutyClient) async throws -> [ListedSchedule] {
        let layered = try await client.listSchedules(includeLayers: true)
        let references = try await client.listV3Schedules()
        var shiftBased: [ListedSchedule?] = Array(repeating: nil, count: references.count)
        var start = 0
        while start < references.count {
            let batch = Array(references[start..<min(start + listReadsInFlight, references.count)].enumerated())
            let offset = start
            try await withThrowingTaskGroup(of: (Int, ListedSchedule?).self) { group in
                for (index, reference) in batch {
                    group.addTask {
                        do {
                            return (offset + index, ListedSchedule(try await client.v3Schedule(id: reference.id)))
                        } catch let error as PagerDutyError where error.kind == .scheduleNotFound {
                            return (offset + index, nil)
                        }
                    }
                }
                for try await (index, listed) in group { shiftBased[index] = listed }
            }
            start += batch.count
        }
        let shiftIDs = Set(references.map(\.id))
        return layered.filter { !shiftIDs.contains($0.id) }.map(ListedSchedule.init) + shiftBased.compactMap { $0 }
    }

    /// One row per schedule. With shift-based schedules among them, each row says its kind; a
    /// list of layer-based schedules only reads as it always has.
    static func listText(_ schedules: [ListedSchedule]) -> String {
        guard !schedules.isEmpty else { return "No schedules: the key sees none.\n" }
        let sayKind = schedules.contains { $0.kind == .shiftBased }
        // What PagerDuty sent, escaped for the terminal (no raw line breaks or ANSI escapes).
        let rows = schedules.map { ($0, YAMLText.scalar($0.id), YAMLText.comment($0.name), YAMLText.scalar($0.timeZone)) }
        let idWidth = rows.map(\.1.count).max() ?? 0
        let nameWidth = rows.map(\.2.count).max() ?? 0
        let zoneWidth = rows.map(\.3.count).max() ?? 0
        return rows.map { schedule, shownID, shownName, shownZone in
            let id = shownID.padding(toLength: idWidth, withPad: " ", startingAt: 0)
            let name = shownName.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let zone = shownZone.padding(toLength: zoneWidth, withPad: " ", startingAt: 0)
            let kind = sayKind ? "\(schedule.kind.displayName), " : ""
            let parts = plural(schedule.parts, schedule.kind == .shiftBased ? "rotation" : "layer")
            return "\(id)  \(name)  \(zone)  \(kind)\(parts), \(plural(schedule.members, "member"))\n"
        }.joined()
    }

    /// Every schedule with its `kind` (`layer-based` or `shift-based`) and its `layers` or
    /// `rotations`.
    static func listJSON(_ schedules: [ListedSchedule]) -> String {
        let items: [JSONValue] = schedules.map { schedule in
            .object([
                ("id", .string(schedule.id)),
                ("name", .string(schedule.name)),
                ("time_zone", .string(schedule.timeZone)),
                ("kind", .string(schedule.kind.displayName)),
                (schedule.kind == .shiftBased ? "rotations" : "layers", .int(schedule.parts)),
                ("members", .int(schedule.members)),
            ])
        }
        return JSONValue.object([("schedules", .array(items))]).serialized() + "\n"
    }
}
