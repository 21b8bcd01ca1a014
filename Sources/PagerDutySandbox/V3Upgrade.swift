import HandoffTime

// MARK: - The in-place upgrade of a layered schedule

extension SandboxServer {
    /// What PagerDuty's coming upgrade tool does, as the reference (section 9.3, checklist row
    /// 23) expects it: the layered schedule `id` becomes shift-based with the **same id**, one
    /// rotation per layer (a rotating event with the layer's members, one turn per occurrence,
    /// from its rotation virtual start, effective from the layer's start to its end), and from
    /// then on the v2 routes answer as for any shift-based schedule. Its v2 overrides are dropped,
    /// or (quirk `convertOverridesOnUpgrade`) become overrides of the first rotation replacing
    /// whoever it puts on call at the override's start. Layer restrictions are not carried over,
    /// and a layer whose turn cannot be said as a recurrence (see `upgradeRule`) gets a rotation
    /// without events (what the real tool does there is not known). Returns false when there is
    /// no layered schedule with this id.
    @discardableResult
    public func upgradeScheduleToV3(id: String) async throws -> Bool {
        // One step with respect to v3 writes: none reads the schedule half upgraded.
        let outcome: Result<Bool, any Error> = await v3Writes.run {
            do { return .success(try await upgrade(id: id)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    private func upgrade(id: String) async throws -> Bool {
        guard let schedule = await store.schedule(id: id), !schedule.isV3 else { return false }
        let convert = quirks.v3.convertOverridesOnUpgrade
        let overrides = await store.overrides(scheduleID: id)
        let fixedUTC = quirks.v3.expandInFixedUTC
        let changed = try await store.updateSchedule(id: id) { schedule, ids -> (result: Bool, changed: Bool) in
            var details = SandboxV3Details()
            details.referencedByEscalationPolicy = true
            for layer in schedule.layers {
                var rotation = SandboxV3Rotation(id: ids.next())
                if let rule = Self.upgradeRule(turnSeconds: layer.rotationTurnLengthSeconds), !layer.userIDs.isEmpty {
                    let first = Self.firstTurn(of: layer, zone: Zone(identifier: schedule.timeZone) ?? .utc)
                    let count = layer.userIDs.count
                    let shift = ((first.index % count) + count) % count
                    rotation.events.append(
                        SandboxV3Event(
                            id: ids.next(), name: layer.name, start: first.range.start, end: first.range.end,
                            timeZone: schedule.timeZone, effectiveSince: layer.start, effectiveUntil: layer.end, recurrence: [rule], everyMember: false,
                            members: (0..<count).map { SandboxV3Member(userID: layer.userIDs[(shift + $0) % count]) }, shiftsPerMember: 1
                        )
                    )
                }
                details.rotations.append(rotation)
            }
            if convert, let first = details.rotations.first {
                for override in overrides {
                    let window = InstantRange(start: override.start, end: override.start.adding(seconds: 1))
                    guard let assigned = V3FinalSchedule.rotationAssignments(first, window: window, fixedUTC: fixedUTC).first?.member else { continue }
                    details.overrides.append(
                        SandboxV3Override(
                            id: ids.next(), rotationID: first.id, customShiftID: nil, start: override.start, end: override.end, overridden: assigned,
                            overriding: SandboxV3Member(userID: override.userID), sequence: ids.sequence()
                        )
                    )
                }
            }
            schedule.type = SandboxSchedule.v3Type
            schedule.layers = []
            schedule.v3 = details
            return (true, true)
        }
        for override in overrides { await store.deleteOverride(scheduleID: id, id: override.id) }
        try await store.persistNow()
        return changed == true
    }

    /// The RRULE that repeats a layer's turn exactly as the layered schedule renders it
    /// (`ScheduleRenderer`): a whole number of days steps on the wall clock (DAILY or WEEKLY,
    /// as the renderer keeps such handoffs at their local time across DST); a whole number of
    /// hours steps in absolute time (HOURLY, as the renderer treats other lengths as fixed spans
    /// of real time). Any other length (a turn of 90 minutes, say) has no exact recurrence
    /// among the frequencies PagerDuty allows (no MINUTELY), and so does a count of hours
    /// beyond the simulator's INTERVAL limit: nil, and the rotation gets no events.
    static func upgradeRule(turnSeconds turn: Int) -> String? {
        guard turn > 0 else { return nil }
        if turn % 86_400 == 0 {
            let days = turn / 86_400
            if days % 7 == 0, days / 7 <= V3Recurrence.maximumInterval { return "RRULE:FREQ=WEEKLY;INTERVAL=\(days / 7)" }
            return days <= V3Recurrence.maximumInterval ? "RRULE:FREQ=DAILY;INTERVAL=\(days)" : nil
        }
        guard turn % 3600 == 0, turn / 3600 <= V3Recurrence.maximumInterval else { return nil }
        return "RRULE:FREQ=HOURLY;INTERVAL=\(turn / 3600)"
    }

    /// The layer's turn in force at its start (turn `index` from its rotation virtual start, so
    /// the members rotate from there): the event's first occurrence, since a recurrence has no
    /// occurrences before its first while a layer's turns also run before the virtual start.
    /// Whole days end on the wall clock of `zone`, so the occurrence keeps its local length.
    static func firstTurn(of layer: SandboxLayer, zone: Zone) -> (index: Int, range: InstantRange) {
        let turn = Int64(layer.rotationTurnLengthSeconds)
        let virtualStart = layer.rotationVirtualStart
        guard turn % 86_400 == 0 else {
            let index = (layer.start - virtualStart).floorDivided(by: turn)
            let start = virtualStart.adding(seconds: index * turn)
            return (Int(index), InstantRange(start: start, end: start.adding(seconds: turn)))
        }
        let virtualLocal = virtualStart.secondsSinceEpoch + Int64(zone.offset(at: virtualStart))
        let startLocal = layer.start.secondsSinceEpoch + Int64(zone.offset(at: layer.start))
        func start(_ k: Int64) -> Instant { zone.instant(forLocalSeconds: virtualLocal + k * turn) }
        var index = (startLocal - virtualLocal).floorDivided(by: turn)
        if start(index + 1) <= layer.start { index += 1 }
        if start(index) > layer.start { index -= 1 }
        return (Int(index), InstantRange(start: start(index), end: start(index + 1)))
    }
}
