import Foundation
import HostRules

/// Where a PagerDuty key may be sent (DESIGN section 9). A pull request can change `api_url`, so
/// the configuration alone never decides: by default only PagerDuty's own API hosts (over https)
/// and loopback (http or https, for the simulated PagerDuty) are allowed; any other host must be
/// named by the pipeline itself, in `HANDOFF_ALLOWED_API_HOSTS`, which the caller reads and passes
/// in. A pure value: validation and the code that opens connections ask the same question of it.
public struct APIHostPolicy: Sendable, Hashable {
    /// A host the pipeline allows: an exact name (or IP literal), and a port when one was given.
    public struct Host: Sendable, Hashable, CustomStringConvertible {
        /// Lower-case; an IPv6 literal without its brackets.
        public var name: String
        /// Nil: the scheme's default port only.
        public var port: Int?

        public init(name: String, port: Int? = nil) {
            self.name = name.lowercased()
            self.port = port
        }

        public var description: String {
            let host = name.contains(":") ? "[\(name)]" : name
            return port.map { "\(host):\($0)" } ?? host
        }
    }

    /// The environment variable a pipeline lists its extra hosts in.
    public static let environmentVariable = "HANDOFF_ALLOWED_API_HOSTS"
    /// PagerDuty's REST API, in the US and EU service regions.
    public static let pagerDutyHosts = ["api.pagerduty.com", "api.eu.pagerduty.com"]

    /// Hosts allowed besides PagerDuty's and loopback, over https.
    public var allowedHosts: [Host]

    public init(allowedHosts: [Host] = []) {
        self.allowedHosts = allowedHosts
    }

    /// The policy for the value of `HANDOFF_ALLOWED_API_HOSTS` (nil or empty: the defaults only):
    /// host names separated by commas, each with an optional `:PORT`.
    public init(allowList: String?) throws(ListError) {
        var hosts: [Host] = []
        for entry in (allowList ?? "").split(separator: ",", omittingEmptySubsequences: false) {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let authority = Self.authority(text), authority.userInfo == false else { throw ListError(entry: text) }
            hosts.append(Host(name: authority.host, port: authority.port))
        }
        self.allowedHosts = hosts
    }

    /// A value of `HANDOFF_ALLOWED_API_HOSTS` that is not a list of hosts.
    public struct ListError: Error, Sendable, Hashable, CustomStringConvertible {
        public var entry: String

        public var description: String {
            "\(APIHostPolicy.environmentVariable) must list host names separated by commas, each with an optional :PORT (such as pd-proxy.example.com:8443); \(APIHostPolicy.shown(entry)) is not one"
        }
    }

    // MARK: - The rule

    /// Why the key may not be sent to `url`, as the tail of a sentence about `api_url`; nil when
    /// it may.
    public func violation(_ url: String) -> String? {
        guard url.utf8.allSatisfy({ (0x21...0x7E).contains($0) }), !url.contains("\\"), !url.contains("%") else {
            return "must be a plain address of visible ASCII characters (no spaces, control characters, \\ or %-escapes), not \(Self.shown(url))"
        }
        guard let separator = url.range(of: "://") else {
            return "must be an https:// address, not \(Self.shown(url))"
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else {
            return "must be an https:// address (or http:// to a loopback address), not a \(Self.shown(scheme)) address"
        }
        let rest = url[separator.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else {
            return "must not have a query (?) or a fragment (#), so that requests go where it says"
        }
        let authorityText = String(rest.prefix { $0 != "/" })
        let path = rest.dropFirst(authorityText.count)
        guard let authority = Self.authority(authorityText) else {
            return "must name a host (and optionally a port from 1 to 65535), not \(Self.shown(url))"
        }
        guard !authority.userInfo else {
            return "must not carry a user name or password before an @; the key is the only credential Handoff sends"
        }
        guard path.allSatisfy({ $0.isLetter || $0.isNumber || "-._~/".contains($0) }) else {
            return "must have a path of letters, digits and - . _ ~ / only, not \(Self.shown(url))"
        }
        // Belt and braces: the HTTP library must read the same host from the whole URL.
        let libraryHost = URL(string: url)?.host.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
        guard libraryHost == authority.host else {
            return "must be an address every URL parser reads the same way, not \(Self.shown(url))"
        }
        let shownHost = Host(name: authority.host, port: authority.port).description
        guard KeyTransportRule.allows(scheme: String(scheme), host: authority.host) else {
            return "uses http:// to \(shownHost); the key is sent over https:// only, except to a loopback address"
        }
        if KeyTransportRule.isLoopback(authority.host) { return nil }
        let port = authority.port ?? 443
        if port == 443, Self.pagerDutyHosts.contains(authority.host) { return nil }
        let allowed = allowedHosts.contains { $0.name == authority.host && ($0.port ?? 443) == port }
        if allowed { return nil }
        return "names \(shownHost), which is not PagerDuty's API (\(Self.pagerDutyHosts.joined(separator: ", "))) or a loopback address; "
            + "the key goes to another host only when the pipeline lists it in \(Self.environmentVariable), never because the configuration says so"
    }

    // MARK: - Pieces

    private struct Authority {
        var host: String
        var port: Int?
        var userInfo: Bool
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`, with the host in letters, digits, `.` and `-`
    /// (or hex digits and `:` inside brackets); nil for anything else.
    private static func authority(_ text: String) -> Authority? {
        var text = Substring(text)
        var userInfo = false
        if let at = text.lastIndex(of: "@") {
            userInfo = true
            text = text[text.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return nil }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty, host.count <= 253, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                return nil
            }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText), (1...65_535).contains(value) else {
                return nil
            }
            port = value
        }
        return Authority(host: host.lowercased(), port: port, userInfo: userInfo)
    }

    /// Text from the configuration or the environment, quoted, with anything invisible escaped
    /// and long values cut, so a message can name it safely.
    static func shown(_ text: some StringProtocol) -> String {
        var output = ""
        for scalar in text.unicodeScalars.prefix(120) {
            if (0x20...0x7E).contains(scalar.value), scalar != "\"", scalar != "\\" {
                output.unicodeScalars.append(scalar)
            } else {
                output += scalar.escaped(asASCII: true)
            }
        }
        if text.unicodeScalars.count > 120 { output += "…" }
        return "\"\(output)\""
    }
}

// MARK: - Validation

extension APIHostPolicy {
    /// An error at the `api_url` line of every connection whose key may not go where it says.
    public func diagnostics(for connections: [Connection]) -> [Diagnostic] {
        connections.compactMap { connection in
            guard let problem = problem(connection) else { return nil }
            return .error(problem, at: connection.apiURLLocation ?? connection.location)
        }
    }

    /// The sentence for a connection whose key may not go to its `api_url`, or nil; sandbox
    /// connections hold no key.
    public func problem(_ connection: Connection) -> String? {
        guard case .pagerDuty(_, let apiURL) = connection.kind, let reason = violation(apiURL) else { return nil }
        return "connection \"\(connection.name)\": \"api_url\" \(reason)"
    }
}
