import Foundation
import HTTPTypes
import HandoffTime
import Hummingbird
import NIOCore
import OrderedJSON

/// The request context: Hummingbird's core storage plus the connection, which the "dropped
/// response" fault closes.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// One request through the simulated PagerDuty: latency, authentication, the rate limit and the
/// injected faults first (in that order), then the endpoint, then the log.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext
    let server: SandboxServer

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let method = request.method.rawValue
        let route = SandboxRoute(path: request.uri.path)
        let decision = server.faultDecision(method: method)
        if decision.latencyMilliseconds > 0 {
            try await Task.sleep(for: .milliseconds(decision.latencyMilliseconds))
        }
        let quirks = server.quirks
        var reply: SandboxReply
        var rateHeaders: TokenBucket.Outcome?

        if let token = Self.token(request.headers[.authorization]), let key = await server.store.token(token) {
            rateHeaders = server.takeToken(for: route.isV3 && !quirks.v3.sharedRateLimitBucket ? "v3 \(token)" : token)
            var missingScope = key.scopes.flatMap { scopes in route.requiredScope(method: method).flatMap { scopes.contains($0) ? nil : $0 } }
            if route.isV3, key.scopes != nil, quirks.v3.scopedTokensUnsupported { missingScope = route.requiredScope(method: method) }
            if decision.rateLimited {
                reply = SandboxReply.rateLimited(resetSeconds: server.faults.rateLimitResetSeconds, headers: server.faults.rateLimitHeaders, quirks: quirks)
            } else if let bucket = rateHeaders, !bucket.allowed {
                reply = SandboxReply.rateLimited(resetSeconds: bucket.resetSeconds, headers: server.faults.rateLimitHeaders, quirks: quirks)
                reply.rateLimit = server.faults.rateLimitHeaders ? bucket : nil
            } else if decision.serverError {
                reply = .error(500, "An internal error has occurred. PagerDuty team has been notified.", code: 2000, quirks: quirks)
            } else if let missingScope, let scopes = key.scopes {
                reply = SandboxReply.json(
                    403,
                    .object([
                        ("error", .object([
                            ("message", .string("Forbidden")), ("code", .int(2010)),
                            ("required_scopes", .string(missingScope)), ("token_scopes", .string(scopes.joined(separator: " "))),
                        ]))
                    ])
                )
            } else if key.readOnly, method != "GET", method != "HEAD" {
                reply = .error(403, quirks.readOnlyMessage, code: quirks.readOnlyCode, quirks: quirks)
            } else if let body = try await Self.collectBody(&request) {
                let caller = SandboxCaller(bearer: request.headers[.authorization]?.hasPrefix("Bearer ") == true, token: token)
                let api = SandboxAPI(server: server, quirks: quirks, now: server.clock.now(), accept: request.headers[.accept], caller: caller)
                reply = await api.handle(
                    method: method,
                    route: route,
                    query: QueryParameters(request.uri.query ?? ""),
                    body: Array(buffer: body),
                    contentType: request.headers[.contentType]
                )
                if reply.status < 300, let bucket = rateHeaders { reply.rateLimit = bucket }
            } else {
                reply = .error(
                    413, "Request Entity Too Large", code: 2001,
                    errors: ["The request body must not exceed \(Self.maximumBodyBytes >> 20) MB"], quirks: quirks
                )
            }
        } else {
            reply = quirks.unauthorizedWithoutJSON
                ? SandboxReply(status: 401, body: nil, contentType: "text/html")
                : .error(401, "Authentication failed", code: 2006, quirks: quirks)
        }

        server.log.record(RequestLog.Entry(method: method, route: route.template, status: reply.status))
        if decision.dropAfterProcessing, method == "POST" {
            // The work is done and stored; the client never hears of it.
            context.channel.close(mode: .all, promise: nil)
        }
        return reply.response()
    }

    /// The largest request body read (PagerDuty refuses large bodies with 413 too).
    static let maximumBodyBytes = 16 << 20

    /// The body of `request`; nil when it is larger than `maximumBodyBytes` (by its declared
    /// length, or as it arrives), for a 413 rather than a failure of the server.
    static func collectBody(_ request: inout Request) async throws -> ByteBuffer? {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maximumBodyBytes { return nil }
        do {
            return try await request.collectBody(upTo: maximumBodyBytes)
        } catch is NIOTooManyBytesError {
            return nil
        }
    }

    /// The key from `Token token=…` or `Bearer …`; nil when the header is missing or malformed.
    static func token(_ header: String?) -> String? {
        guard let header else { return nil }
        if header.hasPrefix("Token token=") {
            let token = String(header.dropFirst("Token token=".count))
            return token.isEmpty ? nil : token
        }
        if header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst("Bearer ".count))
            return token.isEmpty ? nil : token
        }
        return nil
    }
}

/// A response before it becomes HTTP: status, JSON body, rate-limit headers.
struct SandboxReply {
    var status: Int
    var body: JSONValue?
    var contentType = "application/json; charset=utf-8"
    var rateLimit: TokenBucket.Outcome?
    var extraHeaders: [(String, String)] = []

    init(status: Int, body: JSONValue?, contentType: String = "application/json; charset=utf-8") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    static func json(_ status: Int, _ body: JSONValue) -> SandboxReply {
        SandboxReply(status: status, body: body)
    }

    /// PagerDuty's error body, in the shape the quirks ask for.
    static func error(_ status: Int, _ message: String, code: Int, errors: [String] = [], quirks: SandboxQuirks) -> SandboxReply {
        if quirks.errorAsString {
            return SandboxReply(status: status, body: .object(["error": .string(([message] + errors).joined(separator: ": "))]))
        }
        var inner: [(String, JSONValue)] = [("message", .string(message)), ("code", .int(code))]
        if !errors.isEmpty {
            inner.append(("errors", quirks.errorsAsString ? .string(errors.joined(separator: ", ")) : .array(errors.map(JSONValue.string))))
        }
        return SandboxReply(status: status, body: .object([("error", .object(inner))]))
    }

    static func rateLimited(resetSeconds: Int, headers: Bool, quirks: SandboxQuirks) -> SandboxReply {
        guard headers else { return SandboxReply(status: 429, body: nil, contentType: "text/plain") }
        var reply = error(429, "Rate Limit Exceeded", code: 2020, quirks: quirks)
        reply.rateLimit = TokenBucket.Outcome(allowed: false, limit: 960, remaining: 0, resetSeconds: resetSeconds)
        return reply
    }

    func response() -> Response {
        var fields = HTTPFields()
        if body != nil || contentType != "application/json; charset=utf-8" { fields[.contentType] = contentType }
        var headers = extraHeaders
        if let rateLimit {
            headers += [
                ("ratelimit-limit", String(rateLimit.limit)),
                ("ratelimit-remaining", String(rateLimit.remaining)),
                ("ratelimit-reset", String(rateLimit.resetSeconds)),
            ]
        }
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        let bytes = body.map { $0.serialized(pretty: false) } ?? ""
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: bytes))
        )
    }
}

/// The path of a request split into the routes PagerDuty has.
enum SandboxRoute: Equatable {
    case users
    case user(String)
    case schedules
    case schedule(String)
    case overrides(schedule: String)
    case override(schedule: String, id: String)
    case oncalls
    /// `/schedules/{id}/users`, `/escalation_policies` and `/escalation_policies/{id}`.
    case scheduleUsers(String)
    case escalationPolicies
    case escalationPolicy(String)
    /// Shift-based schedules under `/v3/schedules`.
    case v3(V3Route)
    case unknown(String)

    init(path: String) {
        let parts = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if parts.first == "v3", let route = V3Route(parts: Array(parts.dropFirst())) {
            self = .v3(route)
            return
        }
        switch parts.count {
        case 1 where parts[0] == "users": self = .users
        case 2 where parts[0] == "users": self = .user(parts[1])
        case 1 where parts[0] == "schedules": self = .schedules
        case 2 where parts[0] == "schedules": self = .schedule(parts[1])
        case 3 where parts[0] == "schedules" && parts[2] == "overrides": self = .overrides(schedule: parts[1])
        case 4 where parts[0] == "schedules" && parts[2] == "overrides": self = .override(schedule: parts[1], id: parts[3])
        case 1 where parts[0] == "oncalls": self = .oncalls
        case 3 where parts[0] == "schedules" && parts[2] == "users": self = .scheduleUsers(parts[1])
        case 1 where parts[0] == "escalation_policies": self = .escalationPolicies
        case 2 where parts[0] == "escalation_policies": self = .escalationPolicy(parts[1])
        default: self = .unknown(path)
        }
    }

    var isV3: Bool {
        if case .v3 = self { return true }
        return false
    }

    /// The OAuth scope PagerDuty requires for this route and method.
    func requiredScope(method: String) -> String? {
        switch self {
        case .users, .user: return "users.read"
        case .schedules, .schedule: return "schedules.read"
        case .overrides: return method == "GET" ? "schedules.read" : "schedules.write"
        case .override: return "schedules.write"
        case .oncalls: return "oncalls.read"
        case .scheduleUsers: return "users.read"
        case .escalationPolicies, .escalationPolicy: return method == "GET" ? "escalation_policies.read" : "escalation_policies.write"
        case .v3(.auditRecords): return "audit_records.read"
        case .v3: return method == "GET" ? "schedules.read" : "schedules.write"
        case .unknown: return nil
        }
    }

    /// The route with ids replaced, for the request log.
    var template: String {
        switch self {
        case .users: return "/users"
        case .user: return "/users/{id}"
        case .schedules: return "/schedules"
        case .schedule: return "/schedules/{id}"
        case .overrides: return "/schedules/{id}/overrides"
        case .override: return "/schedules/{id}/overrides/{override_id}"
        case .oncalls: return "/oncalls"
        case .scheduleUsers: return "/schedules/{id}/users"
        case .escalationPolicies: return "/escalation_policies"
        case .escalationPolicy: return "/escalation_policies/{id}"
        case .v3(let route): return route.template
        case .unknown(let path): return path
        }
    }
}

/// A query string decoded as a Rails application decodes it: `+` is a space, `%XX` escapes,
/// `name[]` (or `name%5B%5D`) collects repeated values.
struct QueryParameters {
    private var values: [String: [String]] = [:]

    init(_ query: String) {
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            var name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if name.hasSuffix("[]") { name.removeLast(2) }
            values[name, default: []].append(value)
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    subscript(name: String) -> String? { values[name]?.last }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    func flag(_ name: String) -> Bool {
        guard let value = self[name]?.lowercased() else { return false }
        return value == "true" || value == "1"
    }
}
