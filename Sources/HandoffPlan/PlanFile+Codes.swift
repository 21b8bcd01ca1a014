import HandoffTime
import OrderedJSON

// MARK: - Codes and reading helpers

extension PlanFile {
    /// The stable codes of action reasons in a saved plan.
    enum ReasonCode: String {
        case deletedByHandKept = "deleted_by_hand_kept"
        case recreatedAfterDeleteByHand = "recreated_after_delete_by_hand"
        case madeOutsideEqual = "made_outside_equal"
        case stateLooksLost = "state_looks_lost"
        case overwrittenOnFirstExport = "overwritten_on_first_export"
        case manualOverrideReverted = "manual_override_reverted"
        case manualOverrideBeforeWatermark = "manual_override_before_watermark"
        case memberLeft = "member_left"
        case noLongerDesired = "no_longer_desired"
        case destinationRemoved = "destination_removed"

        init(_ reason: PlanAction.Reason) {
            switch reason {
            case .deletedByHandKept: self = .deletedByHandKept
            case .recreatedAfterDeleteByHand: self = .recreatedAfterDeleteByHand
            case .madeOutsideEqual: self = .madeOutsideEqual
            case .stateLooksLost: self = .stateLooksLost
            case .overwrittenOnFirstExport: self = .overwrittenOnFirstExport
            case .manualOverrideReverted: self = .manualOverrideReverted
            case .manualOverrideBeforeWatermark: self = .manualOverrideBeforeWatermark
            case .memberLeft: self = .memberLeft
            case .noLongerDesired: self = .noLongerDesired
            case .destinationRemoved: self = .destinationRemoved
            }
        }
    }

    enum UnwantedCode: String {
        case beyondHorizon = "beyond_horizon"
        case nobodyScheduled = "nobody_scheduled"
        case swap
        case timeOff = "time_off"
        case explicitCover = "explicit_cover"
        case rotationChanged = "rotation_changed"
        case handovers

        init(_ unwanted: PlanAction.Unwanted) {
            switch unwanted {
            case .beyondHorizon: self = .beyondHorizon
            case .nobodyScheduled: self = .nobodyScheduled
            case .swap: self = .swap
            case .timeOff: self = .timeOff
            case .explicitCover: self = .explicitCover
            case .rotationChanged: self = .rotationChanged
            case .handovers: self = .handovers
            }
        }
    }

    /// Reads members, each failure one sentence naming what is wrong.
    struct Reader {
        func object(_ value: JSONValue?, _ what: String) throws -> JSONValue {
            guard let value, value.objectValue != nil else { throw Failure(description: "\(what) is missing or not an object") }
            return value
        }

        func array(_ value: JSONValue?, _ what: String) throws -> [JSONValue] {
            guard let items = value?.arrayValue else { throw Failure(description: "\(what) is missing or not a list") }
            return items
        }

        func string(_ value: JSONValue?, _ what: String) throws -> String {
            guard let text = value?.stringValue else { throw Failure(description: "\(what) is missing or not a string") }
            return text
        }

        func optionalString(_ value: JSONValue?, _ what: String) throws -> String? {
            guard let value, !value.isNull else { return nil }
            return try string(value, what)
        }

        func strings(_ value: JSONValue?, _ what: String) throws -> [String] {
            try array(value, what).map { try string($0, what) }
        }

        /// A flag written only when it holds: absent is false.
        func flag(_ value: JSONValue?, _ what: String) throws -> Bool {
            guard let value else { return false }
            return try bool(value, what)
        }

        func bool(_ value: JSONValue?, _ what: String) throws -> Bool {
            guard let flag = value?.boolValue else { throw Failure(description: "\(what) is missing or not true or false") }
            return flag
        }

        func integer(_ value: JSONValue?, _ what: String) throws -> Int {
            guard let number = value?.intValue else { throw Failure(description: "\(what) is missing or not a whole number") }
            return number
        }

        func instant(_ value: JSONValue?, _ what: String) throws -> Instant {
            guard let instant = value?.stringValue.flatMap(Instant.init(rfc3339:)) else {
                throw Failure(description: "\(what) lacks a time or has one that is not RFC 3339")
            }
            return instant
        }

        func optionalInstant(_ value: JSONValue?, _ what: String) throws -> Instant? {
            guard let value, !value.isNull else { return nil }
            return try instant(value, what)
        }
    }
}
