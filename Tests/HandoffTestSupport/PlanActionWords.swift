public import HandoffPlan
public import HandoffTime

extension PlanAction {
    /// The action's reason as the plan renders it, for tests that check the words.
    public func reasonWords(in zone: Zone = .utc) -> String? {
        reason.map { PlanRenderer.words($0, in: zone) }
    }
}

/// One of every reason, for tests that generate plans.
public enum PlanReasonSamples {
    /// Every handover reason, `rotationChange` at `from`.
    public static func handover(from: Instant) -> [Handover.Reason] {
        [
            .swap, .explicitCover, .timeOffCover, .rotationChange(from: from), .rotationChanged, .coverageChanged, .timeZoneChanged,
            .memberLeft, .destinationRemoved, .manualOverrideReverted, .firstExportOverForeign, .exported, .recreated,
        ]
    }

    /// Every action reason, each way it can be in progress, with handover words at `from`.
    public static func action(from: Instant) -> [PlanAction.Reason] {
        let unwanted: [PlanAction.Unwanted] = [
            .beyondHorizon, .nobodyScheduled, .swap, .timeOff, .explicitCover, .rotationChanged,
            .handovers([.swap]), .handovers([.rotationChange(from: from), .coverageChanged, .memberLeft]),
        ]
        var reasons: [PlanAction.Reason] = [
            .deletedByHandKept, .recreatedAfterDeleteByHand, .madeOutsideEqual, .stateLooksLost, .overwrittenOnFirstExport,
            .manualOverrideReverted, .manualOverrideBeforeWatermark,
        ]
        for inProgress in [false, true] {
            reasons += [.memberLeft(inProgress: inProgress), .destinationRemoved(inProgress: inProgress)]
            reasons += unwanted.map { .noLongerDesired($0, inProgress: inProgress) }
        }
        return reasons
    }
}
