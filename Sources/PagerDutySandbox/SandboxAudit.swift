public import HandoffTime

// MARK: - Who made a request, as an audit record may show it

/// The caller of one request, as far as an audit record names it: how it authenticated and the
/// last characters of its key. The key itself is never kept: `init(header:token:)` keeps at
/// most its last four characters (fewer for a short key, so that a key is never shown whole).
public struct SandboxCaller: Sendable, Codable, Hashable {
    /// `api_token` for `Token token=…`, `oauth` for `Bearer …` (reference section 6.7).
    public var method: String
    public var truncatedToken: String

    /// The most characters of a key an audit record keeps.
    static let shownCharacters = 4

    init(method: String, truncatedToken: String) {
        self.method = method
        self.truncatedToken = truncatedToken
    }

    /// From the `Authorization` header's form and the key it carried.
    init(bearer: Bool, token: String) {
        method = bearer ? "oauth" : "api_token"
        // At most four characters, and never more than the key's length minus four: a key of
        // eight characters or fewer is not half shown.
        let shown = max(0, min(Self.shownCharacters, token.count - Self.shownCharacters))
        truncatedToken = String(token.suffix(shown))
    }
}

/// One entry of a shift-based schedule's audit records: a write the simulator performed on the
/// schedule or on something under it.
public struct SandboxV3AuditRecord: Sendable, Codable, Hashable {
    public var id: String
    /// Creation order within the schedule (the cursor of the listing counts down from it).
    public var sequence: Int
    public var executionTime: Instant
    /// `create`, `update` or `delete`.
    public var action: String
    /// The changed object's type (`schedule`, `schedule_rotation`, `schedule_event`,
    /// `custom_shift`, `override_shift`) and id.
    public var resourceType: String
    public var resourceID: String
    public var caller: SandboxCaller

    public init(id: String, sequence: Int, executionTime: Instant, action: String, resourceType: String, resourceID: String, caller: SandboxCaller) {
        self.id = id
        self.sequence = sequence
        self.executionTime = executionTime
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.caller = caller
    }
}
