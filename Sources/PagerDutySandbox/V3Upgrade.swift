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
    /// and a layer whose turn is not a whole number of days gets a rotation without events
    /// (what the real tool does there is not known). Returns false when there is no layered
    /// schedule with this id.
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
                let turn = layer.rotationTurnLengthSeconds
                if turn > 0, turn % 86_400 == 0, !layer.userIDs.isEmpty {
                    let days = turn / 86_400
                    let rule = days % 7 == 0 ? "RRULE:FREQ=WEEKLY;INTERVAL=\(days / 7)" : "RRULE:FREQ=DAILY;INTERVAL=\(days)"
                    rotation.events.append(
                        SandboxV3Event(
                            id: ids.next(), name: layer.name, start: layer.rotationVirtualStart, end: layer.rotationVirtualStart.adding(seconds: Int64(turn)),
                            timeZone: schedule.timeZone, effectiveSince: layer.start, effectiveUntil: layer.end, recurrence: [rule], everyMember: false,
                            members: layer.userIDs.map { SandboxV3Member(userID: $0) }, shiftsPerMember: 1
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
}
