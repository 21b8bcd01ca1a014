import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NetworkFailures
import Synchronization

/// One HTTP request to the API, described independently of AsyncHTTPClient.
struct APIRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", delete = "DELETE"

        /// GET, PUT (which sets the same fields to the same values again) and DELETE may be
        /// repeated safely; POST creates a new object every time.
        var isIdempotent: Bool { self != .post }
    }

    var method: Method
    var path: String
    var query: [(String, String)] = []
    var body: [UInt8]?
    /// What the request does, in the words of a sentence: "list overrides of schedule PABC123".
    var purpose: String
}

struct APIResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
}

/// Sends requests with PagerDuty's headers, within the rate and concurrency limits, and retries
/// what may be retried: 429 on every method after the reset PagerDuty names; 5xx, 408, timeouts
/// and dropped connections on GET, PUT and DELETE with bounded exponential backoff and jitter. A POST
/// is repeated only when it certainly never left (connection refused); any other failure of a
/// POST is reported as an unknown outcome for the caller to resolve by listing.
///
/// A connection that cannot be opened before PagerDuty has answered anything (refused, a host
/// name that does not resolve, no route) is a wrong address or a network that does not reach it,
/// which waiting does not mend: it fails at once, naming the connection and its address. Once an
/// answer came, the same failure is a dropped connection and is retried. Every wait goes through
/// the configured clock (AsyncHTTPClient's own retries of connection attempts are off), and a wait
/// longer than `WaitAnnouncer.threshold` is announced through `Configuration.progress`.
final class Transport: Sendable {
    let configuration: PagerDutyClient.Configuration
    private let http: HTTPClient
    private let rateLimiter: RequestRateLimiter
    private let concurrency: ConcurrencyLimiter
    private let announcer: WaitAnnouncer
    let recorder = StatisticsRecorder()
    private let logger: Logger
    /// Whether PagerDuty has answered any request of this client (with any status).
    private let answered = Atomic<Bool>(false)

    init(configuration: PagerDutyClient.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.httpConfiguration(configuration))
        announcer = WaitAnnouncer(clock: configuration.clock, connectionName: configuration.connectionName, sink: configuration.progress)
        rateLimiter = RequestRateLimiter(limit: configuration.requestsPerMinute, clock: configuration.clock, announcer: announcer)
        concurrency = ConcurrencyLimiter(limit: configuration.maxConcurrentRequests)
    }

    /// AsyncHTTPClient's settings: no redirects, the connect timeout, and no connection attempts
    /// repeated inside the pool. With them, a refused connection would be retried with the pool's
    /// own backoff until the connect timeout, on every attempt, unseen by the client's clock: the
    /// 55 silent seconds a wrong address used to cost.
    static func httpConfiguration(_ configuration: PagerDutyClient.Configuration) -> HTTPClient.Configuration {
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(ClientWait.bounded(configuration.connectTimeout) * 1000)))
        )
        http.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, configuration.maxConcurrentRequests))
        http.connectionPool.retryConnectionEstablishment = false
        return http
    }

    func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends `request` until it gets a response that retrying will not change, and returns it.
    /// Responses with 4xx statuses other than 408 and 429 are returned for the caller to map.
    func send(_ request: APIRequest) async throws -> APIResponse {
        var failures = 0
        var rateLimitWaits = 0
        let place = configuration.connectionDescription
        while true {
            try Task.checkCancellation()
            let outcome = await attempt(request)
            switch outcome {
            case .response(let response):
                answered.store(true, ordering: .releasing)
                switch response.status {
                case 429:
                    await recorder.rateLimited()
                    rateLimitWaits += 1
                    guard rateLimitWaits <= configuration.maxRateLimitWaits else {
                        throw failure(
                            .rateLimited,
                            "PagerDuty kept answering 429 (too many requests) to \(request.purpose) after \(rateLimitWaits - 1) waits; "
                                + "another program may be using the same key",
                            response: response
                        )
                    }
                    let reset = Self.resetSeconds(response.headers)
                    let wait = reset.map { $0 + jitter(0.5) } ?? backoff(rateLimitWaits)
                    logger.debug("429 from PagerDuty; waiting", metadata: ["seconds": "\(wait)", "path": "\(request.path)"])
                    await rateLimiter.pauseFor(wait, reason: "before retrying (PagerDuty answered 429 to \(request.purpose))")
                case 500...599, 408:
                    guard request.method.isIdempotent else {
                        throw failure(
                            .outcomeUnknown,
                            "PagerDuty answered \(response.status) to \(request.purpose); whether it happened is unknown",
                            response: response
                        )
                    }
                    failures += 1
                    guard failures < configuration.maxAttempts else {
                        throw failure(
                            .serverError,
                            "PagerDuty failed to \(request.purpose): \(response.status) on all \(failures) attempts; try again later",
                            response: response
                        )
                    }
                    await recorder.retried()
                    try await pause(backoff(failures), "before retrying (PagerDuty answered \(response.status) to \(request.purpose))")
                default:
                    return response
                }
            case .failed(let problem):
                if let connect = problem.connect, !answered.load(ordering: .acquiring) {
                    throw PagerDutyError(
                        .unreachable,
                        configuration.key.redacted("\(place): could not connect: \(connect); check the connection's api_url and the network")
                    )
                }
                guard request.method.isIdempotent || problem.certainlyNotSent else {
                    throw PagerDutyError(
                        .outcomeUnknown,
                        "the response to \(request.purpose) was lost (\(problem.cause)); whether it happened is unknown"
                    )
                }
                failures += 1
                guard failures < configuration.maxAttempts else {
                    throw PagerDutyError(
                        .unreachable,
                        configuration.key.redacted("\(place): could not \(request.purpose): \(problem.cause), \(failures) attempts")
                    )
                }
                await recorder.retried()
                try await pause(backoff(failures), "before retrying (could not \(request.purpose): \(problem.cause))")
            }
        }
    }

    /// Sleeps on the configured clock, announcing a long wait first.
    private func pause(_ seconds: Double, _ why: String) async throws {
        announcer.waiting(seconds, why)
        try await configuration.clock.sleep(seconds: seconds)
    }

    private enum Outcome {
        case response(APIResponse)
        case failed(Problem)
    }

    /// A request that got no response: why, in words; whether it certainly never reached the
    /// server; and, when the connection could not be opened at all, why not.
    struct Problem: Sendable, Hashable {
        var cause: String
        var certainlyNotSent: Bool
        var connect: ConnectFailure?
    }

    private func attempt(_ request: APIRequest) async -> Outcome {
        await concurrency.acquire()
        let outcome = await perform(request)
        await concurrency.release()
        return outcome
    }

    private func perform(_ request: APIRequest) async -> Outcome {
        do {
            try await rateLimiter.acquire()
        } catch {
            return .failed(Problem(cause: "cancelled", certainlyNotSent: true))
        }
        var httpRequest = HTTPClientRequest(url: configuration.baseURL + request.path + QueryString.encode(request.query))
        httpRequest.method = HTTPMethod(rawValue: request.method.rawValue)
        httpRequest.headers.add(name: "Authorization", value: configuration.key.authorizationHeader)
        httpRequest.headers.add(name: "Accept", value: "application/vnd.pagerduty+json;version=2")
        httpRequest.headers.add(name: "Content-Type", value: "application/json")
        httpRequest.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let body = request.body {
            httpRequest.body = .bytes(ByteBuffer(bytes: body))
        }
        await recorder.sent(request.method.rawValue)
        do {
            let response = try await http.execute(httpRequest, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
            let body = try await response.body.collect(upTo: 64 << 20)
            let headers = response.headers
            await rateLimiter.observe(
                remaining: Self.headerNumber(headers, "ratelimit-remaining").flatMap { Int(exactly: $0.rounded(.down)) },
                resetSeconds: Self.resetSeconds(headers)
            )
            return .response(APIResponse(status: Int(response.status.code), headers: headers, body: Array(buffer: body)))
        } catch {
            var problem = Self.classify(error, timeout: configuration.requestTimeout, connectTimeout: configuration.connectTimeout)
            // Libraries quote what they refused, headers included: nothing of theirs is shown unredacted.
            problem.cause = configuration.key.redacted(problem.cause)
            logger.debug("request failed", metadata: ["path": "\(request.path)", "problem": "\(problem.cause)"])
            return .failed(problem)
        }
    }

    /// A readable cause, whether the request certainly never reached the server, and whether the
    /// connection could not be opened at all.
    static func classify(_ error: any Error, timeout: Double, connectTimeout: Double = 5) -> Problem {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                let failure = ConnectFailure(.system("no connection within \(seconds(connectTimeout)) seconds"))
                return Problem(cause: failure.description, certainlyNotSent: true, connect: failure)
            case .deadlineExceeded, .readTimeout:
                return Problem(cause: "no response within \(seconds(timeout)) seconds", certainlyNotSent: false)
            case .remoteConnectionClosed: return Problem(cause: "the connection was closed before a response arrived", certainlyNotSent: false)
            case .cancelled: return Problem(cause: "the request was cancelled", certainlyNotSent: false)
            default: return Problem(cause: "\(error)", certainlyNotSent: false)
            }
        }
        if let failure = ConnectFailure.from(error) {
            return Problem(cause: failure.description, certainlyNotSent: true, connect: failure)
        }
        if let error = error as? ChannelError {
            switch error {
            case .ioOnClosedChannel, .eof, .outputClosed:
                return Problem(cause: "the connection was closed before a response arrived", certainlyNotSent: false)
            default: break
            }
        }
        if let error = error as? IOError, error.errnoCode == ECONNRESET || error.errnoCode == EPIPE {
            return Problem(cause: "the connection was closed before a response arrived", certainlyNotSent: false)
        }
        return Problem(cause: "\(error)", certainlyNotSent: false)
    }

    /// `30`, or `0.3`: seconds as a person writes them.
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }

    func failure(_ kind: PagerDutyError.Kind, _ message: String, response: APIResponse, scheduleKind: ScheduleKind? = nil) -> PagerDutyError {
        let body = ErrorBody(bytes: response.body, key: configuration.key)
        return PagerDutyError(
            kind,
            configuration.key.redacted(message),
            status: response.status,
            apiCode: body.code,
            apiErrors: body.errors.map(configuration.key.redacted),
            apiMessage: body.message,
            scheduleKind: scheduleKind
        )
    }

    /// Exponential backoff with full jitter, bounded by the cap.
    private func backoff(_ attempt: Int) -> Double {
        let ceiling = min(configuration.backoffCap, configuration.backoffBase * pow(2, Double(attempt - 1)))
        return ceiling / 2 + jitter(ceiling / 2)
    }

    private func jitter(_ maximum: Double) -> Double {
        maximum > 0 ? Double.random(in: 0...maximum) : 0
    }

    static func headerNumber(_ headers: HTTPHeaders, _ name: String) -> Double? {
        headers.first(name: name).flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// `ratelimit-reset` when it is a number of seconds a wait can honour: finite, not negative,
    /// and at most `ClientWait.longest` (a longer one is cut to it); nil for `inf`, `nan` or `-5`.
    static func resetSeconds(_ headers: HTTPHeaders) -> Double? {
        guard let seconds = headerNumber(headers, "ratelimit-reset"), seconds.isFinite, seconds >= 0 else { return nil }
        return min(seconds, ClientWait.longest)
    }

    func statistics() async -> RequestStatistics {
        await recorder.statistics
    }
}

/// Query strings with every reserved character percent-encoded, `+` included (a `+` in a time
/// offset would otherwise arrive as a space), and `[]` in array parameters as `%5B%5D`.
enum QueryString {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    static func encode(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
