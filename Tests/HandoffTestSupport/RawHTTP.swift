import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Plain HTTP requests to the simulated PagerDuty, with no client logic in the way, for tests of
/// the server's own behaviour (status codes, headers, bodies as bytes).
public enum RawHTTP {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object (nil when it is not one).
        public var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        }

        /// The body as any JSON value.
        public var jsonValue: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    }

    public static let defaultKey = SandboxHarness.key

    public static func get(_ url: String, key: String? = defaultKey, headers: [(String, String)] = []) async throws -> Response {
        try await send("GET", url, key: key, headers: headers, body: nil)
    }

    /// `timeout` is the whole exchange's, a bound for a hung test rather than a test of timing
    /// (as the sandbox harness's): a full parallel run on two cores can hold an answer the
    /// sandbox sent for seconds; a test sending a body of many megabytes gives more still.
    public static func post(
        _ url: String, json: String, key: String? = defaultKey, headers: [(String, String)] = [("Content-Type", "application/json")], timeout: Int64 = 60
    ) async throws -> Response {
        try await send("POST", url, key: key, headers: headers, body: Array(json.utf8), timeout: timeout)
    }

    public static func delete(_ url: String, key: String? = defaultKey) async throws -> Response {
        try await send("DELETE", url, key: key, headers: [], body: nil)
    }

    public static func send(_ method: String, _ url: String, key: String?, headers: [(String, String)], body: [UInt8]?, timeout: Int64 = 60) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let key { request.headers.add(name: "Authorization", value: "Token token=\(key)") }
        request.headers.add(name: "Accept", value: "application/vnd.pagerduty+json;version=2")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return Response(status: Int(response.status.code), headers: fields, body: Array(buffer: bytes))
    }
}
