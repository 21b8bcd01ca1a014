public import HandoffTime

// MARK: - Shift-based schedules in a seed

extension SandboxSeed {
    /// A rotation of a seeded shift-based schedule (`type: schedule_v3`):
    ///
    /// ```yaml
    /// schedules:
    ///   - name: Platform (shift-based)
    ///     type: schedule_v3
    ///     time_zone: Europe/Berlin
    ///     rotations:
    ///       - events:
    ///           - name: Weekly
    ///             start: 2026-11-02T09:00:00+01:00     # the first occurrence
    ///             end: 2026-11-09T09:00:00+01:00
    ///             recurrence: ["RRULE:FREQ=WEEKLY"]
    ///             members: [alice@example.com, bob@example.com]   # or "empty" for a vacant seat
    ///             shifts_per_member: 1                  # omit with every_member: true
    /// ```
    public struct Rotation: Sendable, Decodable, Hashable {
        public var events: [Event]

        public init(events: [Event]) {
            self.events = events
        }
    }

    /// An event of a seeded rotation; its zone is the schedule's unless `time_zone` names one.
    public struct Event: Sendable, Decodable, Hashable {
        public var name: String?
        public var start: Instant
        public var end: Instant
        public var timeZone: String?
        /// The first start when absent; unlike the API, a seed keeps past values.
        public var effectiveSince: Instant?
        public var effectiveUntil: Instant?
        public var recurrence: [String]
        /// E-mail addresses or user ids, in turn order; `empty` for a vacant seat.
        public var members: [String]
        public var shiftsPerMember: Int?
        public var everyMember: Bool?

        public init(
            name: String? = nil, start: Instant, end: Instant, timeZone: String? = nil, effectiveSince: Instant? = nil, effectiveUntil: Instant? = nil,
            recurrence: [String], members: [String], shiftsPerMember: Int? = 1, everyMember: Bool? = nil
        ) {
            self.name = name
            self.start = start
            self.end = end
            self.timeZone = timeZone
            self.effectiveSince = effectiveSince
            self.effectiveUntil = effectiveUntil
            self.recurrence = recurrence
            self.members = members
            self.shiftsPerMember = shiftsPerMember
            self.everyMember = everyMember
        }
    }
}

extension SandboxSeed.Schedule {
    /// The v3 parts of a seeded shift-based schedule, checked as the API would check them.
    /// `resolve` turns an e-mail address or id into a user id (or throws).
    func v3Details(ids: inout V3IDSource, resolve: (String, String) throws -> String) throws -> SandboxV3Details {
        var details = SandboxV3Details()
        details.referencedByEscalationPolicy = true
        for (rotationIndex, seeded) in (rotations ?? []).enumerated() {
            var rotation = SandboxV3Rotation(id: ids.next())
            for (eventIndex, event) in seeded.events.enumerated() {
                let context = "event \(eventIndex + 1) of rotation \(rotationIndex + 1) of schedule \(name)"
                let zoneName = event.timeZone ?? timeZone
                guard let zone = Zone(identifier: zoneName) else { throw SandboxSeed.LoadError(description: "the \(context) names the unknown time zone \(zoneName)") }
                if case .failure(let problems) = V3Recurrence.parse(event.recurrence, zone: zone) {
                    throw SandboxSeed.LoadError(description: "the recurrence of the \(context) is refused: \(problems.messages.joined(separator: "; "))")
                }
                guard event.start < event.end, (1...20).contains(event.members.count) else {
                    throw SandboxSeed.LoadError(description: "the \(context) must end after it starts and have 1 to 20 members")
                }
                let everyMember = event.everyMember ?? false
                guard everyMember || (1...10_000).contains(event.shiftsPerMember ?? 0) else {
                    throw SandboxSeed.LoadError(description: "the \(context) needs shifts_per_member from 1 to 10000")
                }
                let members = try event.members.map { $0 == "empty" ? SandboxV3Member(userID: nil) : SandboxV3Member(userID: try resolve($0, "the \(context)")) }
                rotation.events.append(
                    SandboxV3Event(
                        id: ids.next(), name: event.name ?? "Event \(eventIndex + 1)", start: event.start, end: event.end, timeZone: zoneName,
                        effectiveSince: event.effectiveSince ?? event.start, effectiveUntil: event.effectiveUntil, recurrence: event.recurrence,
                        everyMember: everyMember, members: members, shiftsPerMember: everyMember ? nil : event.shiftsPerMember
                    )
                )
            }
            details.rotations.append(rotation)
        }
        return details
    }
}
