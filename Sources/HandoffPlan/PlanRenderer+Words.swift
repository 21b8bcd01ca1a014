public import HandoffTime

/// Reasons in English: the only place the typed reasons of handovers and actions become words.
extension PlanRenderer {
    /// A handover's reason in English: the only place it is put into words.
    static func words(_ reason: Handover.Reason, in zone: Zone) -> String {
        switch reason {
        case .swap: "swap"
        case .explicitCover: "explicit cover"
        case .timeOffCover: "time off cover"
        case .rotationChange(let from): "rotation change from \(DisplayTime.withOffset(from, in: zone))"
        case .rotationChanged: "rotation changed"
        case .coverageChanged: "coverage changed"
        case .timeZoneChanged: "time zone or handoff time changed"
        case .memberLeft: "member left"
        case .destinationRemoved: "destination removed"
        case .manualOverrideReverted: "manual override reverted"
        case .firstExportOverForeign: "first export over an override made by hand"
        case .exported: "newly exported"
        case .recreated: "recreated after a delete by hand"
        }
    }

    /// Who holds the pager on one side of a handover, in English: the name as `name` escapes it,
    /// followed by `(rotation)` for a shift-based schedule's own rotation member, who holds it
    /// with no override; `nobody` where nothing the plan knows of does.
    static func words(_ holder: Handover.Holder?, name: (String) -> String) -> String {
        guard let holder else { return "nobody" }
        return name(holder.name) + (holder.rotationID == nil ? "" : " (rotation)")
    }

    /// An action's reason in English: the only place it is put into words.
    public static func words(_ reason: PlanAction.Reason, in zone: Zone) -> String {
        let inProgressWords = "; in progress, it is cut to end now"
        switch reason {
        case .deletedByHandKept: return "deleted in PagerDuty by hand; not recreated, as manual_changes is keep"
        case .recreatedAfterDeleteByHand: return "recreated: deleted in PagerDuty by hand, and manual_changes is revert"
        case .madeOutsideEqual: return "made outside Handoff, equal to the configuration"
        case .stateLooksLost: return "the state looks lost; --allow-first-export-deletes overwrites it"
        case .overwrittenOnFirstExport: return "overwritten on first export"
        case .manualOverrideReverted: return "manual override reverted, as manual_changes is revert"
        case .manualOverrideBeforeWatermark: return "manual override before the watermark"
        case .memberLeft(let inProgress): return "member left the rotation" + (inProgress ? inProgressWords : "")
        case .destinationRemoved(let inProgress): return "destination removed" + (inProgress ? inProgressWords : "")
        case .noLongerDesired(let unwanted, let inProgress):
            let why: String
            switch unwanted {
            case .beyondHorizon: why = "beyond the horizon"
            case .nobodyScheduled: why = "nobody is scheduled then"
            case .swap: why = "swap"
            case .timeOff: why = "time off"
            case .explicitCover: why = "explicit cover"
            case .rotationChanged: why = "rotation changed"
            case .handovers(let reasons):
                // Each phrase once, in the order of the handovers.
                var phrases: [String] = []
                for reason in reasons {
                    let phrase = words(reason, in: zone)
                    if !phrases.contains(phrase) { phrases.append(phrase) }
                }
                why = phrases.joined(separator: ", ")
            }
            return "no longer desired: " + why + (inProgress ? inProgressWords : "")
        }
    }
}
