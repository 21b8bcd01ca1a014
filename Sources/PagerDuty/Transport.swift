import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP request to the API, described independently of AsyncHTTPClient.
struct APIRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET", post = "POST", delete = "DELETE"

        /// GET and DELETE may be repeated safely; POST creates a new override every time.
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
/// and dropped connections on GET and DELETE with bounded exponential backoff and jitter. A POST
/// is repeated only when it certainly never left (connection refused); any other failure of a
/// POST is reported as an unknown outcome for the caller to resolve by listing.
final class Transport: Sendable {
    let configuration: PagerDutyClient.Configuration
    private let http: HTTPClient
    private let rateLimiter: RequestRateLimiter
    private let concurrency: ConcurrencyLimiter
    let recorder = StatisticsRecorder()
    private let logger: Logger

    init(configuration: PagerDutyClient.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var httpConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000)))
        )
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, configuration.maxConcurrentRequests))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        rateLimiter = RequestRateLimiter(limit: configuration.requestsPerMinute, clock: configuration.clock)
        concurrency = ConcurrencyLimiter(limit: configuration.maxConcurrentRequests)
    }

    func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends `request` until it gets a response that retrying will not change, and returns it.
    /// Responses with 4xx statuses other than 408 and 429 are returned for the caller to map.
    func send(_ request: APIRequest) async throws -> APIResponse {
        var failures = 0
        var rateLimitWaits = 0
        while true {
            try Task.checkCancellation()
            let outcome = await attempt(request)
            switch outcome {
            case .response(let response):
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
                    await rateLimiter.pauseFor(wait)
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
                    try await configuration.clock.sleep(seconds: backoff(failures))
                default:
                    return response
                }
            case .failed(let problem, let certainlyNotSent):
                guard request.method.isIdempotent || certainlyNotSent else {
                    throw PagerDutyError(
                        .outcomeUnknown,
                        "the response to \(request.purpose) was lost (\(problem)); whether it happened is unknown"
                    )
                }
                failures += 1
                guard failures < configuration.maxAttempts else {
                    throw PagerDutyError(
                        .unreachable,
                        "could not \(request.purpose) at \(configuration.baseURL): \(problem), \(failures) attempts"
                    )
                }
                await recorder.retried()
                try await configuration.clock.sleep(seconds: backoff(failures))
            }
        }
    }

    private enum Outcome {
        case response(APIResponse)
        case failed(String, certainlyNotSent: Bool)
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
            return .failed("cancelled", certainlyNotSent: true)
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
            let (cause, notSent) = Self.classify(error, timeout: configuration.requestTimeout)
            // Libraries quote what they refused, headers included: nothing of theirs is shown unredacted.
            let problem = configuration.key.redacted(cause)
            logger.debug("request failed", metadata: ["path": "\(request.path)", "problem": "\(problem)"])
            return .failed(problem, certainlyNotSent: notSent)
        }
    }

    /// A readable cause, and whether the request certainly never reached the server.
    static func classify(_ error: any Error, timeout: Double) -> (String, Bool) {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return ("the connection timed out", true)
            case .deadlineExceeded, .readTimeout:
                let seconds = timeout == timeout.rounded() ? String(Int(timeout)) : String(format: "%.1f", timeout)
                return ("no response within \(seconds) seconds", false)
            case .remoteConnectionClosed: return ("the connection was closed before a response arrived", false)
            case .cancelled: return ("the request was cancelled", false)
            default: return ("\(error)", false)
            }
        }
        if error is NIOConnectionError { return ("the connection was refused", true) }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return ("the connection was refused", true) }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return ("the connection timed out", true)
            case .ioOnClosedChannel, .eof, .outputClosed: return ("the connection was closed before a response arrived", false)
            default: break
            }
        }
        return ("\(error)", false)
    }

    func failure(_ kind: PagerDutyError.Kind, _ message: String, response: APIResponse) -> PagerDutyError {
        let body = ErrorBody(bytes: response.body, key: configuration.key)
        return PagerDutyError(
            kind,
            configuration.key.redacted(message),
            status: response.status,
            apiCode: body.code,
            apiErrors: body.errors.map(configuration.key.redacted)
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
