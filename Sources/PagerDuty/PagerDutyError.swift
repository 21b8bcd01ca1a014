/// A failure talking to PagerDuty, as one sentence a person can act on. The kind lets callers
/// branch (an unknown outcome must be resolved by listing before any retry); the description never
/// holds the API key.
public struct PagerDutyError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// 401: the key is wrong, expired or malformed.
        case unauthorized
        /// 403 on a write: the key may read but not write.
        case readOnlyKey
        /// 403 on a read.
        case forbidden
        /// 404 for a schedule.
        case scheduleNotFound
        /// 404 for anything else.
        case notFound
        /// 400 and other refusals that retrying will not change.
        case rejected
        /// 429 that kept coming after waiting as told.
        case rateLimited
        /// 5xx or 408 that kept coming after the retries.
        case serverError
        /// A write whose response was lost (timeout, dropped connection, 5xx): it may or may not
        /// have happened; list and match before trying again.
        case outcomeUnknown
        /// The network failed before PagerDuty answered.
        case unreachable
        /// The answer could not be understood.
        case invalidResponse
        /// A schedule Handoff cannot write overrides to (shift-based v3 schedules).
        case unsupportedSchedule
        /// A request for one kind of schedule sent to the other kind's API (a v2 route on a
        /// shift-based schedule, a v3 route on a layer-based one), as PagerDuty's 400 says;
        /// `scheduleKind` is what the schedule is.
        case wrongScheduleKind
        /// An address other than https://, or http:// to a loopback address.
        case insecureURL
        /// A key with characters no PagerDuty key has (a line break, a control character): it is
        /// refused before any request, so no library gets to quote it.
        case malformedKey
        /// A redirect: Handoff never follows one, so the key goes nowhere but the configured host.
        case redirected
    }

    public let kind: Kind
    /// The HTTP status, when there was a response.
    public let status: Int?
    /// The sentence shown to the user.
    public let message: String
    /// PagerDuty's own error code and details, when the body had them.
    public let apiCode: Int?
    public let apiErrors: [String]
    /// PagerDuty's own message (`error.message`), redacted and escaped, when the body had one:
    /// v3 puts a generic one there ("Invalid Input Provided") and the substance in `apiErrors`.
    public let apiMessage: String?
    /// The kind the schedule really is, when PagerDuty's answer said so (`wrongScheduleKind`).
    public let scheduleKind: ScheduleKind?

    init(
        _ kind: Kind,
        _ message: String,
        status: Int? = nil,
        apiCode: Int? = nil,
        apiErrors: [String] = [],
        apiMessage: String? = nil,
        scheduleKind: ScheduleKind? = nil
    ) {
        self.kind = kind
        self.message = message
        self.status = status
        self.apiCode = apiCode
        self.apiErrors = apiErrors
        self.apiMessage = apiMessage
        self.scheduleKind = scheduleKind
    }

    public var description: String { message }

    /// The sentence for a key that cannot be sent; it names where the key came from, never the key.
    public static func malformedKey(connection: String, keySource: String?) -> PagerDutyError {
        let source = keySource.map { "the environment variable \($0)" } ?? "the configuration of the client"
        return PagerDutyError(
            .malformedKey,
            "the PagerDuty key of connection \"\(connection)\" in \(source) holds a line break, a control character, a space or a non-ASCII character; "
                + "PagerDuty keys are printable ASCII, so set it again without them"
        )
    }
}
