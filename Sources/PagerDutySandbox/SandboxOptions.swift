/// Faults the simulated PagerDuty injects on request, changeable while it runs, so tests can
/// check that the client and the applier survive what the real API does on a bad day.
public struct SandboxFaults: Sendable, Hashable {
    public enum Latency: Sendable, Hashable {
        case none
        case fixed(milliseconds: Int)
        case random(milliseconds: ClosedRange<Int>)
    }

    public var latency: Latency = .none
    /// Share of requests (0...1) answered 500 before being processed.
    public var serverErrorRate: Double = 0
    /// The next N requests (of `serverErrorMethods`) are answered 500.
    public var serverErrorBurst: Int = 0
    /// Methods the 5xx faults apply to (`GET`, `POST`, `DELETE`).
    public var serverErrorMethods: Set<String> = ["GET", "POST", "DELETE"]
    /// The next N requests are answered 429 (a burst), whatever the bucket says.
    public var rateLimitBurst: Int = 0
    /// Whether 429 responses carry the ratelimit headers and body (PagerDuty says some do not).
    public var rateLimitHeaders = true
    /// The `ratelimit-reset` sent with burst 429s.
    public var rateLimitResetSeconds = 1
    /// Enforce a real token bucket of `requestsPerMinute` (capacity the same, refilled evenly).
    public var enforceRateLimit = false
    public var requestsPerMinute = 960
    /// Share of POSTs whose connection is dropped after they were processed: the overrides exist,
    /// the client never hears so.
    public var dropAfterPostRate: Double = 0
    /// The next N POSTs are processed and their connection dropped.
    public var dropNextPosts: Int = 0
    /// Seed for the random choices above, so a faulty run can be repeated.
    public var seed: UInt64 = 1

    public init() {}
}

/// Choices for the points of PagerDuty's behaviour that no public source confirms (reference
/// section 12), so tests can run the client against each plausible answer.
public struct SandboxQuirks: Sendable, Hashable {
    // MARK: - Where PagerDuty's published description and its behaviour part (docs/pagerduty-fidelity.md)

    /// Send `null` for an unset `users[].job_title` and `schedules[].description`. The published
    /// description declares both plain strings (absent, never null), so the default leaves them
    /// out; the developer docs say any field may be null, which this position keeps tested.
    public var nullForUnsetStrings = false
    /// Honour `include[]=overrides_subschedule` and `final_schedule` on `GET /schedules`. The
    /// description lists them; the real list is reported not to return them (so off by default).
    public var listIncludesSubschedules = false
    /// The zone `GET /schedules` renders times in when the request names none: the account's, as
    /// the description says; nil renders each schedule in its own zone (the sandbox before).
    public var accountTimeZone: String? = "UTC"

    /// The zone a layer's restrictions (`09:00 for 8 hours`) are read in on a schedule read.
    public enum RestrictionZone: Sendable, Hashable {
        /// The request's `time_zone`, when it names one: the description's sentence, read literally.
        case request
        /// Always the schedule's own zone, whatever the request asks to render in.
        case schedule
    }
    public var restrictionZone = RestrictionZone.request

    /// How `GET /oncalls` limits `since` and `until`.
    public enum OnCallLimit: Sendable, Hashable {
        /// The current description: nothing beyond 90 days from now. A window starting past that
        /// horizon is refused; one ending past it is answered up to the horizon.
        case horizon
        /// As `horizon`, but a window ending past the horizon is refused too.
        case horizonStrict
        /// The description before March 2023: a window longer than 90 days is refused.
        case windowLength
    }
    public var onCallLimit = OnCallLimit.horizon

    /// What the deprecated single-override create (`{"override": {...}}`) does.
    public enum SingleOverrideForm: Sendable, Hashable {
        /// 201 with `{"override": {...}}`: the 2021 description and PagerDuty's Go client.
        case legacyObject
        /// Handled as a bulk create of one, answered with the bulk form's array.
        case asBulk
        /// Refused as a body without `overrides`: the removal the description announces.
        case removed
    }
    public var singleOverrideForm = SingleOverrideForm.legacyObject
    /// The single form's 400 carries `errors` as one comma-joined string, as seen in 2021
    /// (go-pagerduty #339), instead of the list of strings the description declares.
    public var singleOverrideErrorsAsString = false

    // MARK: - Points no public source settles

    /// Bulk POST answer: the specification's bare array (default), or `{"overrides": [...]}`.
    public var wrapBulkResponse = false
    /// Status of a bulk POST in which every item failed: 201 with per-item statuses (default) or
    /// 400 with the standard error body.
    public var allFailedStatus = 201
    /// Most overrides accepted in one POST.
    public var maxOverridesPerRequest = 1000
    /// Status for deleting an override that has already ended.
    public var pastDeleteStatus = 400
    /// Error code for an unknown override: 2100 (Not Found, default) or 4004 (Override Not Found).
    public var unknownOverrideCode = 2100
    /// Reject overrides whose start is in the past (the default accepts them).
    public var rejectPastStart = false
    /// Render override times in UTC instead of the schedule's time zone.
    public var overridesInUTC = false
    /// Add `limit`, `offset`, `more`, `total` to the override listing.
    public var paginateOverrideListing = false
    /// Answer 201 to the override listing, as the current specification (wrongly) says.
    public var overrideListingStatus = 200
    /// Return schedule layers in POST order instead of reversed (the reference's inference).
    public var layersInPostOrder = false
    /// Error body variants seen in the wild: `errors` as one string, or `error` as a string.
    public var errorsAsString = false
    public var errorAsString = false
    /// 401 with an empty text/html body instead of JSON.
    public var unauthorizedWithoutJSON = false
    /// The body and code for writes with a read-only key (403).
    public var readOnlyMessage = "Access Denied"
    public var readOnlyCode = 2010
    /// Choices for shift-based (v3) schedules, one block (`SandboxV3Quirks`).
    public var v3 = SandboxV3Quirks()

    public init() {}
}

/// How the simulated PagerDuty starts.
public struct SandboxOptions: Sendable {
    /// 0 picks a free port.
    public var port = 0
    public var host = "127.0.0.1"
    /// The JSON data file, loaded at start and rewritten atomically after every change; nil keeps
    /// everything in memory.
    public var dataPath: String?
    public var seed: SandboxSeed?
    public var clock = SandboxClock()
    public var faults = SandboxFaults()
    public var quirks = SandboxQuirks()

    public init() {}
}

// MARK: - Shift-based (v3) schedules

/// Choices for the points of PagerDuty's shift-based (`/v3/schedules`) API that no primary source
/// settles (the v3 reference, section 11: the row each switch answers is named). Defaults are the
/// checklist's; a test flips one with `server.updateQuirks { $0.v3.… = … }` or starts with
/// `SandboxOptions.quirks.v3`.
public struct SandboxV3Quirks: Sendable, Hashable {
    // MARK: Rows 1, 2 and 7: audit records, `Accept`, escalation policies

    /// Row 2: a v3 request whose `Accept` is neither `application/vnd.pagerduty+json;version=2`
    /// nor `application/json` (nor absent) is answered 406. Off by default: which values
    /// PagerDuty refuses is not known, and both named ones are used against it.
    public var strictAccept = false
    /// Row 1 (section 6.7): writes of overrides and custom shifts are recorded in the schedule's
    /// audit records (default); false records only the schedule, rotations and events.
    public var auditShiftWrites = true

    /// Row 4: `GET /v3/schedules?total=true` carries `total` (default); false never does.
    public var totalWhenAsked = true
    /// Row 5: a `limit` out of range is clamped (default) or answered 400.
    public var rejectOutOfRangeLimit = false
    /// Row 6: what v2 routes answer for a shift-based schedule id: 400 naming the v3 API
    /// (default) or 404 code 2100.
    public var wrongKindOnV2Status = 400
    /// Row 8: an empty `rotations: []` on schedule create or update is tolerated (default).
    public var tolerateEmptyRotations = true
    /// Row 9: `PUT /v3/schedules/{id}` is a partial update (default); true wants `name` and
    /// `time_zone` on every PUT (400 naming the time zone otherwise).
    public var requireNameAndTimeZoneOnUpdate = false
    /// Row 10: the status refusing to delete a schedule an escalation policy references.
    public var deleteReferencedStatus = 400
    /// Row 12: an `effective_since` more than 12 months ahead is refused (default).
    public var rejectEffectiveSinceBeyondYear = true
    /// Row 13: events expand on the wall clock of their time zone (default); true steps in fixed
    /// UTC periods from the first occurrence.
    public var expandInFixedUTC = false
    /// Row 15: an override batch with an invalid item is refused whole (default); true creates
    /// the valid items and still answers 201 with them.
    public var partialOverrideBatches = false
    /// Row 16 (a): an override that ends in the past is refused (default).
    public var rejectOverrideEndingInPast = true
    /// Row 16 (b): the overridden member must be assigned by the source within the window.
    public var requireOverriddenMemberAssigned = false
    /// Row 16 (c): the source must produce a shift within the window.
    public var requireSourceShiftInWindow = false
    /// Row 16 (d): overlapping overrides on the same source and member are refused; false
    /// (default) lets the newest win.
    public var rejectOverlappingOverrides = false
    /// Row 16 (e): `empty_member` is allowed as overridden or overriding member (default).
    public var allowEmptyMemberInOverrides = true
    /// Row 17: with `overflow=false`, listed overrides crossing the window are clipped to it
    /// (default) or left out.
    public var dropCrossingOverrides = false
    /// Row 17: override and custom-shift times are rendered in the requested or schedule zone
    /// (default) or always in UTC (`Z`).
    public var listTimesInUTC = false
    /// Row 18: `overridden_member`, `rotation_id` or `custom_shift_id` in an override PUT are
    /// ignored (default) or refused with 400.
    public var rejectImmutableOverrideFields = false
    /// Row 18: once an override has started only its `end_time` may change (default).
    public var onlyEndTimeAfterOverrideStart = true
    /// Row 18: deleting an override in progress answers 204 (default) or 200 (as v2); either
    /// way it ends now.
    public var inProgressOverrideDeleteStatus = 204
    /// Row 18: deleting an override that has ended answers 400 (default) or 404.
    public var endedOverrideDeleteStatus = 400
    /// Row 19 (section 6.6): whether `empty_member` time counts as covered.
    public var emptyMemberCountsAsCovered = false
    /// Section 6.1: `include[]=final_schedule` without `since`/`until` is ignored (default) or 400.
    public var rejectIncludeWithoutWindow = false
    /// Row 20: 400s carry `errors` as a map of field paths to messages (default); true gives
    /// a list of strings with the message "Invalid Input Provided".
    public var errorsAsList = false
    /// Row 21: v3 requests take tokens from the key's v2 bucket (default) or their own.
    public var sharedRateLimitBucket = true
    /// Row 22: scoped OAuth tokens get 403 on every v3 route ("not supported yet").
    public var scopedTokensUnsupported = false
    /// Row 23: on an in-place upgrade, the schedule's v2 overrides are dropped (default) or
    /// become overrides of its first rotation.
    public var convertOverridesOnUpgrade = false

    public init() {}
}
