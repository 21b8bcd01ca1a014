import HandoffDestination
import HandoffConfig
import HandoffRota
import HandoffState
import HandoffTime

/// Removed destinations: their owned overrides go, or only their state (`keep_overrides`).
extension Reconciler {
    static func planRemoval(_ name: String, state: DestinationState, observed: ObservedSchedule?, input: Input) -> DestinationPlan {
        // Let go of with its overrides kept: only the state's record goes, and PagerDuty is not asked.
        let keepsOverrides = input.keepOverrides.contains(name)
        let allLive = keepsOverrides ? [] : observed?.overrides ?? []
        // As for a configured destination, instants within the plan's minute as it has them.
        let minute = PlanMinute(input.now)
        let owned = Set(state.overrides.filter { minute.outlasts($0.end) }.map(\.id))
        let going = allLive.filter { owned.contains($0.id) && minute.outlasts($0.end) }
        let actions = going.sorted(by: { ($0.start, $0.id) < ($1.start, $1.id) }).map { override in
            action(
                .delete, override.start, override.end, override.userID, input, id: override.id,
                reason: .destinationRemoved(inProgress: minute.hasBegun(override.start)), target: override.target
            )
        }
        let handovers = handovers(
            live: going.map { ($0, .deletedOwned) },
            created: [],
            context: HandoverContext(now: input.now, watermark: state.watermark, removed: true, members: [], scheduled: [], directory: input.directory)
        )
        return DestinationPlan(
            name: name,
            connection: state.connection,
            destinationSchedule: state.destinationSchedule,
            timeZone: "UTC",
            watermarkBefore: state.watermark,
            watermarkAfter: nil,
            actions: ordered(actions),
            removed: true,
            observedWindow: keepsOverrides ? nil : observed?.window,
            liveFingerprint: fingerprint(allLive),
            keepsOverrides: keepsOverrides,
            handovers: handovers
        )
    }
}
