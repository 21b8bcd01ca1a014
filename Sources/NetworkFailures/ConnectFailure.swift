import Foundation
import NIOCore
import NIOPosix

/// Why a connection could not be opened, in the words of a sentence: "connection refused", "the
/// host name db.example.com was not found (DNS)". Shared by the PagerDuty client and the
/// PostgreSQL state store, which meet the same failures through SwiftNIO and must describe them
/// alike, without the error values' own descriptions (`connection reset (error set): Connection
/// refused) (errno: 111)`, `DNS error: SocketAddressError.UnknownHost: …`).
///
/// A connect failure means nothing was sent: the caller may decide whether trying again can help.
public struct ConnectFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// Nothing listens on the port (`ECONNREFUSED`).
        case refused
        /// The host name does not resolve.
        case hostNotFound(host: String)
        /// No route to the host, or to its network.
        case unreachable
        /// No connection within the connect timeout.
        case timedOut
        /// Any other failure of `connect`, described by the system (`strerror`).
        case system(String)
    }

    public var reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .refused: "connection refused"
        case .hostNotFound(let host): "the host name \(host) was not found (DNS)"
        case .unreachable: "the host is unreachable from here (no route to it)"
        case .timedOut: "the connection timed out"
        case .system(let text): text
        }
    }

    /// The failure to connect that `error` reports, or nil when `error` is about something else
    /// (a TLS handshake, a dropped connection, a timeout waiting for a response).
    public static func from(_ error: any Error) -> ConnectFailure? {
        switch error {
        case let error as ConnectFailure:
            return error
        case let error as NIOConnectionError:
            return from(host: error.host, dnsError: error.dnsAError ?? error.dnsAAAAError, connectionErrors: error.connectionErrors.map(\.error))
        case let error as SocketAddressError.UnknownHost:
            return ConnectFailure(.hostNotFound(host: error.host))
        case let error as IOError:
            return from(errno: error.errnoCode)
        case ChannelError.connectTimeout:
            return ConnectFailure(.timedOut)
        default:
            return nil
        }
    }

    /// What SwiftNIO's happy-eyeballs connector reports: DNS errors with no address tried mean the
    /// name did not resolve; otherwise the first attempt that says why.
    static func from(host: String, dnsError: (any Error)?, connectionErrors: [any Error]) -> ConnectFailure {
        if let failure = connectionErrors.lazy.compactMap({ from($0) }).first { return failure }
        if dnsError != nil || connectionErrors.isEmpty { return ConnectFailure(.hostNotFound(host: host)) }
        return ConnectFailure(.system("the connection failed"))
    }

    /// `connect`'s `errno`, as a reason.
    static func from(errno code: Int32) -> ConnectFailure? {
        switch code {
        case ECONNREFUSED: return ConnectFailure(.refused)
        case EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN: return ConnectFailure(.unreachable)
        case ETIMEDOUT: return ConnectFailure(.timedOut)
        // Not ECONNRESET or ECONNABORTED: those also end connections that were open, and a request
        // on them may have been sent.
        case EADDRNOTAVAIL, EAFNOSUPPORT, EACCES, EPERM:
            return ConnectFailure(.system(String(cString: strerror(code)).lowercased()))
        default: return nil
        }
    }
}
