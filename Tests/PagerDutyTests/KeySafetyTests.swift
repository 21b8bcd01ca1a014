import AsyncHTTPClient
import Foundation
import HandoffTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import PagerDuty
import PagerDutySandbox
import Synchronization
import Testing

/// A key that cannot be a header, the renderings of a key in text, and redirects (issue 12,
/// items 2 and 3): the key is refused before any request, never shown, never sent elsewhere.
@Suite("Key safety")
struct KeySafetyTests {
    /// Pieces a leak would show; the key joins them with characters that need escaping.
    static let pieces = ["u+Secret/Piece-One", "Piece-Two\"Quoted", "Tail\\Piece-3"]
    static let hostileKey = "\(pieces[0])\r\n\(pieces[1])\u{1B}[31m\(pieces[2])"

    static func leaks(_ text: String) -> [String] {
        (pieces + ["Secret", "Piece-One", "Piece-Two", "Quoted", "Piece-3"]).filter { text.contains($0) }
    }

    @Test("a key with a line break is refused before any request, in a sentence naming the variable and no piece of the key")
    func malformedKeyRefused() async throws {
        try await SandboxHarness.with { (sandbox: SandboxHarness) async throws in
            var configuration = sandbox.configuration()
            configuration.key = APIKey(Self.hostileKey)
            #expect(!configuration.key.isWellFormed)
            do {
                try await PagerDutyClient.withClient(configuration: configuration) { _ = try await $0.listUsers() }
                Issue.record("a key with a line break was accepted")
            } catch let error as PagerDutyError {
                #expect(error.kind == .malformedKey)
                #expect(
                    "\(error)"
                        == "the PagerDuty key of connection \"sandbox\" in the environment variable PAGERDUTY_TOKEN holds a line break, a control character, a space or a non-ASCII character; PagerDuty keys are printable ASCII, so set it again without them"
                )
                #expect(Self.leaks("\(error)" + String(reflecting: error)).isEmpty)
            }
            #expect(sandbox.server.log.total == 0)
        }
        #expect(APIKey("  pd-key-0123456789\n").isWellFormed, "surrounding whitespace, as echo leaves it, is trimmed")
        for bad in ["a b-0123", "key\u{0}0123", "ключ-0123", "key\u{7F}0123", "key\t0123"] {
            #expect(!APIKey(bad).isWellFormed, "\(bad.debugDescription)")
        }
    }

    @Test("redaction covers the key raw, Swift-escaped, JSON-encoded, percent-encoded and broken at its control characters")
    func redactionOfEveryRendering() throws {
        let key = APIKey(Self.hostileKey)
        let raw = Self.hostileKey
        let json = String(decoding: try JSONEncoder().encode([raw]), as: UTF8.self)
        let withoutSlashes = JSONEncoder()
        withoutSlashes.outputFormatting = .withoutEscapingSlashes
        let renderings = [
            "raw": "header \(raw) end",
            "debug": "value \(raw.debugDescription)",
            "reflecting": String(reflecting: ["Token token=\(raw)"]),
            "library error": "\(HTTPClientError.invalidHeaderFieldValues(["Token token=\(raw)"]))",
            "json": json,
            "json without escaped slashes": String(decoding: try withoutSlashes.encode(["token": raw]), as: UTF8.self),
            "json serialization": String(decoding: try JSONSerialization.data(withJSONObject: [raw]), as: UTF8.self),
            "percent, all reserved": "q=" + (raw.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
            "percent, query": "q=" + (raw.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""),
            "percent, lower-case hex": "q=" + raw.utf8.map { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16).leftPadded
            }.joined(),
            "lines": raw.split(whereSeparator: \.isNewline).joined(separator: " / "),
        ]
        for (name, text) in renderings {
            #expect(!Self.leaks(text).isEmpty, "\(name): the rendering holds the key to begin with")
            let redacted = key.redacted(text)
            #expect(Self.leaks(redacted).isEmpty, "\(name) leaks \(Self.leaks(redacted)): \(redacted)")
            #expect(redacted.contains("<redacted>"), "\(name)")
        }
        #expect(key.redacted("nothing to hide") == "nothing to hide")
    }

    @Test("a redirect is not followed: the key goes to the configured host only")
    func redirectNotFollowed() async throws {
        let elsewhere = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(status: .ok, headers: [("Content-Type", "application/json")], body: #"{"users": [], "more": false}"#)
        }
        let pagerDuty = try await RecordingHTTPServer.start { request in
            RecordingHTTPServer.Reply(status: .found, headers: [("Location", "http://127.0.0.1:\(elsewhere.port)\(request.uri)")], body: "")
        }
        let secret = "pd-redirect-key-0123456789"
        var configuration = PagerDutyClient.Configuration(
            baseURL: "http://127.0.0.1:\(pagerDuty.port)", key: APIKey(secret), connectionName: "acme", keySource: "PAGERDUTY_TOKEN"
        )
        configuration.clock = VirtualClientClock()
        do {
            _ = try await PagerDutyClient.withClient(configuration: configuration) { try await $0.listUsers() }
            Issue.record("a redirect was followed")
        } catch let error as PagerDutyError {
            #expect(error.kind == .redirected)
            #expect("\(error)".hasPrefix("PagerDuty answered 302 (a redirect) to list users on connection \"acme\"; Handoff does not follow redirects"))
            #expect(!"\(error)".contains(secret))
        }
        #expect(pagerDuty.requests.map(\.authorization) == ["Token token=\(secret)"])
        #expect(elsewhere.requests.isEmpty, "the redirect target got \(elsewhere.requests.count) requests")
        try await pagerDuty.stop()
        try await elsewhere.stop()
    }

    @Test("an error body with line breaks and terminal escapes is shown on one line, escaped and bounded")
    func hostileErrorBody() async throws {
        let body = #"{"error": {"message": "Bad\n\u001b]0;owned\u0007\u001b[31mred", "code": 2001, "errors": ["line\r\nbreak", "\#(String(repeating: "x", count: 5_000))"]}}"#
        let server = try await RecordingHTTPServer.start { _ in
            RecordingHTTPServer.Reply(status: .badRequest, headers: [("Content-Type", "application/json")], body: body)
        }
        var configuration = PagerDutyClient.Configuration(baseURL: "http://127.0.0.1:\(server.port)", key: APIKey("pd-key-0123456789"), connectionName: "acme")
        configuration.clock = VirtualClientClock()
        do {
            _ = try await PagerDutyClient.withClient(configuration: configuration) { try await $0.listUsers() }
            Issue.record("a 400 was accepted")
        } catch let error as PagerDutyError {
            let text = "\(error)" + error.apiErrors.joined()
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(text.debugDescription)")
            #expect("\(error)".hasPrefix(#"PagerDuty refused to list users (400: Bad\u{A}\u{1B}]0;owned\u{7}\u{1B}[31mred: line\u{D}\u{A}break; xxx"#), "\(error)")
            #expect("\(error)".count < 1_000)
        }
        try await server.stop()
    }
}

// MARK: - A recording HTTP server

/// A tiny HTTP/1.1 server on 127.0.0.1 that records every request and answers with `respond`:
/// a stand-in for a PagerDuty that redirects, and for the host it redirects to.
final class RecordingHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var authorization: String?
    }

    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var headers: [(String, String)]
        var body: String
    }

    private let recorded = Mutex<[Request]>([])
    let respond: @Sendable (Request) -> Reply
    private let channel = Mutex<(any Channel)?>(nil)
    private let boundPort = Mutex(0)

    var requests: [Request] { recorded.withLock { $0 } }
    var port: Int { boundPort.withLock { $0 } }

    private init(respond: @escaping @Sendable (Request) -> Reply) {
        self.respond = respond
    }

    static func start(respond: @escaping @Sendable (Request) -> Reply) async throws -> RecordingHTTPServer {
        let server = RecordingHTTPServer(respond: respond)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        server.channel.withLock { $0 = channel }
        server.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 }
        return server
    }

    func stop() async throws {
        let channel = self.channel.withLock { $0 }
        try await channel?.close()
    }

    fileprivate func handle(_ request: Request) -> Reply {
        recorded.withLock { $0.append(request) }
        return respond(request)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: RecordingHTTPServer
        var head: HTTPRequestHead?

        init(server: RecordingHTTPServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                let reply = server.handle(Request(method: head.method.rawValue, uri: head.uri, authorization: head.headers.first(name: "Authorization")))
                var headers = HTTPHeaders(reply.headers)
                headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: reply.status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                self.head = nil
            }
        }
    }
}

extension String {
    /// Two hex digits.
    fileprivate var leftPadded: String { count < 2 ? "0" + self : self }
}
