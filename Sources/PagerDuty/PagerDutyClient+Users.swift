import Foundation
public import HandoffTime
import OrderedJSON

/// `GET /users` and `GET /users/{id}`: finding people by e-mail in as few requests as it takes.
extension PagerDutyClient {

    /// One page of `GET /users`.
    public struct UserPage: Sendable {
        public var users: [PagerDutyUser]
        public var more: Bool
        public var total: Int?
    }

    public func usersPage(query: String? = nil, offset: Int, limit: Int = pageSize, total: Bool = false) async throws -> UserPage {
        var items = [("limit", String(limit)), ("offset", String(offset))]
        if total { items.append(("total", "true")) }
        if let query { items.append(("query", query)) }
        let response = try await transport.send(APIRequest(method: .get, path: "/users", query: items, purpose: "list users"))
        try check(response, purpose: "list users", write: false)
        let page = try decode(UsersResponse.self, response, purpose: "list users")
        return UserPage(users: page.users, more: page.more ?? false, total: page.total)
    }

    /// Every user (or every user matching `query`), page by page up to PagerDuty's 10,000 limit.
    public func listUsers(query: String? = nil) async throws -> [PagerDutyUser] {
        var users: [PagerDutyUser] = []
        var offset = 0
        while offset + Self.pageSize <= Self.paginationLimit {
            let page = try await usersPage(query: query, offset: offset)
            users += page.users
            // Advance by what came back, not by the limit echoed (python-pagerduty does the same).
            offset += page.users.count
            if !page.more || page.users.isEmpty { break }
        }
        return users
    }

    /// How a set of e-mail addresses was resolved, for reports and benchmarks.
    public enum ResolutionStrategy: Sendable, Hashable {
        case firstPageOnly, listedAll, queriedEach
    }

    public struct UserResolution: Sendable {
        /// Users by lower-cased e-mail address.
        public var users: [String: PagerDutyUser]
        /// Addresses with no PagerDuty user, lower-cased, sorted.
        public var missing: [String]
        public var strategy: ResolutionStrategy
    }

    /// Finds the users with these e-mail addresses (exact match, ignoring case), listing every user
    /// or querying each address, whichever costs fewer requests: the first page, asked with
    /// `total=true`, tells how many pages a full listing would take.
    public func resolveUsers(emails: some Collection<String>) async throws -> UserResolution {
        let wanted = Set(emails.map { $0.lowercased() })
        guard !wanted.isEmpty else { return UserResolution(users: [:], missing: [], strategy: .firstPageOnly) }
        var found: [String: PagerDutyUser] = [:]
        func keep(_ users: [PagerDutyUser]) {
            for user in users where wanted.contains(user.email.lowercased()) { found[user.email.lowercased()] = user }
        }
        let first = try await usersPage(offset: 0, total: true)
        keep(first.users)
        var remaining = wanted.subtracting(found.keys)
        guard !remaining.isEmpty, first.more else {
            return UserResolution(users: found, missing: remaining.sorted(), strategy: .firstPageOnly)
        }
        let total = first.total ?? Int.max
        let reachable = min(total, Self.paginationLimit)
        let pagesLeft = total == Int.max ? Int.max : (reachable - first.users.count + Self.pageSize - 1) / Self.pageSize
        let strategy: ResolutionStrategy
        if pagesLeft <= remaining.count {
            strategy = .listedAll
            let offsets = Array(stride(from: first.users.count, to: reachable, by: Self.pageSize))
            let pages = try await concurrentMap(offsets) { offset in
                try await self.usersPage(offset: offset, limit: min(Self.pageSize, Self.paginationLimit - offset)).users
            }
            for page in pages { keep(page) }
            remaining = wanted.subtracting(found.keys)
            // Beyond PagerDuty's pagination limit only queries reach the rest.
            if total > Self.paginationLimit, !remaining.isEmpty {
                try await query(remaining, into: &found)
            }
        } else {
            strategy = .queriedEach
            try await query(remaining, into: &found)
        }
        return UserResolution(users: found, missing: wanted.subtracting(found.keys).sorted(), strategy: strategy)
    }

    private func query(_ emails: Set<String>, into found: inout [String: PagerDutyUser]) async throws {
        let results = try await concurrentMap(emails.sorted()) { email -> (String, PagerDutyUser?) in
            // `query` matches substrings of names and addresses: keep the exact address only.
            let users = try await self.listUsers(query: email)
            return (email, users.first { $0.email.lowercased() == email })
        }
        for case (let email, let user?) in results { found[email] = user }
    }

    public func user(id: String) async throws -> PagerDutyUser {
        let purpose = "read user \(id)"
        let response = try await transport.send(APIRequest(method: .get, path: "/users/\(QueryString.escape(id))", purpose: purpose))
        try check(response, purpose: purpose, write: false)
        return try decode(UserResponse.self, response, purpose: purpose).user
    }
}
