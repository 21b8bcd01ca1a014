/// Why an action is in the plan: typed, so that the renderers alone put it into words
/// (`PlanRenderer.words(_:in:)`; the JSON plan's `reason` is those words) and a saved plan carries
/// the value itself. How the reconciler tells them apart is in `Reconciler`.
extension PlanAction {
    public enum Reason: Sendable, Hashable {
        /// `drift`: an override of Handoff's was deleted in PagerDuty by hand and is not made again,
        /// as `manual_changes` is `keep`.
        case deletedByHandKept
        /// `create`: an override of Handoff's deleted in PagerDuty by hand is made again, as
        /// `manual_changes` is `revert`.
        case recreatedAfterDeleteByHand
        /// `adopt`: made outside Handoff, equal to the configuration.
        case madeOutsideEqual
        /// `keep`: made outside Handoff in the way, kept as the state looks lost (DESIGN 5.9).
        case stateLooksLost
        /// `delete`: made outside Handoff in the way of the first export.
        case overwrittenOnFirstExport
        /// `delete`: made by hand before the watermark, reverted as `manual_changes` is `revert`.
        case manualOverrideReverted
        /// `keep`: made by hand before the watermark.
        case manualOverrideBeforeWatermark
        /// `delete`: an override of Handoff's whose person left the rotation; `inProgress`: it has
        /// begun, and is cut to end now.
        case memberLeft(inProgress: Bool)
        /// `delete`: an override of Handoff's nothing wants any more, and why.
        case noLongerDesired(Unwanted, inProgress: Bool)
        /// `delete`: the destination is no longer configured.
        case destinationRemoved(inProgress: Bool)
    }

    /// Why nothing wants an override of Handoff's any more.
    public enum Unwanted: Sendable, Hashable {
        /// It starts past both the horizon and the watermark.
        case beyondHorizon
        /// Nobody holds a shift over it.
        case nobodyScheduled
        /// The first new shift over it that names an entry of the configuration.
        case swap
        case timeOff
        case explicitCover
        /// Only turns of the rotation are over it.
        case rotationChanged
        /// The reasons of the handovers in which its person loses the pager to someone, in order
        /// and each once: what a reviewer reads in the handovers above the override lines.
        case handovers([Handover.Reason])
    }
}
