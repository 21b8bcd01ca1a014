import Foundation
import HandoffState
import Logging
import NetworkFailures
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

// MARK: - Connections and errors
// Connecting (TLS included), one connection per read, and database failures told as one sentence.

extension PostgresStateStore {
    func connect() async throws -> PostgresConnection {
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.configuration(), id: 1, logger: logger)
            do {
                if !schemaChecked.withLock({ $0 }) {
                    try await migrate(connection)
                    schemaChecked.withLock { $0 = true }
                }
            } catch {
                try? await connection.close()
                throw error
            }
            return connection
        } catch let error as StateError {
            throw error
        } catch {
            throw describe(error, doing: "connect to")
        }
    }

    /// Runs `body` on a connection of its own, closed afterwards whatever happens; a failure is
    /// described as failing to do `action`.
    func withConnection<T: Sendable>(doing action: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect()
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw describe(error, doing: action)
        }
    }

    /// One sentence for a database failure, naming the database (`postgres://user@host:port/name`)
    /// and the reason; never the URL's password, and never the driver's own error value (a
    /// `PSQLError` describes itself as a placeholder, and its dump holds internals).
    func describe(_ error: any Error, doing action: String) -> StateError {
        if let error = error as? StateError { return error }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? transaction.rollbackError {
                return describe(inner, doing: action)
            }
        }
        let place = "the state database \(location)"
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? "an error"
                switch state {
                case "28P01", "28000":
                    return StateError(.unavailable, "\(place) refused user \(location.user): \(message); check the URL the state backend reads from the environment")
                case "3D000":
                    return StateError(.unavailable, "\(place) does not exist: \(message)")
                case "57P01", "57P02", "57P03":
                    return StateError(.unavailable, "\(place) is shutting down or starting (\(message)); nothing more was written")
                default:
                    return StateError(.unavailable, "could not \(action) \(place): \(message) (SQLSTATE \(state))")
                }
            }
            switch error.code {
            case .connectionError:
                if let underlying = error.underlying, underlying is NIOSSLError || underlying is NIOSSLExtraError {
                    let detail = Self.tlsReason(underlying)
                    if detail.contains("CERTIFICATE_VERIFY_FAILED") || underlying is NIOSSLExtraError {
                        return StateError(
                            .unavailable,
                            "could not \(action) \(place): its TLS certificate could not be verified (\(detail)); sslmode=verify-full needs a certificate from a trusted authority that names the host, sslmode=require encrypts without checking"
                        )
                    }
                    return StateError(.unavailable, "could not \(action) \(place): the TLS handshake failed (\(detail))")
                }
                if let failure = error.underlying.flatMap(ConnectFailure.from) {
                    return StateError(.unavailable, "could not \(action) \(place): \(failure)\(Self.hint(failure))")
                }
                return StateError(.unavailable, "could not \(action) \(place): the connection failed")
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return StateError(.unavailable, "\(place) went away while Handoff was using it; nothing more was written")
            case .sslUnsupported:
                return StateError(.unavailable, "\(place) does not offer TLS, which the URL's sslmode requires")
            case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
                return StateError(.unavailable, "could not \(action) \(place): the TLS handshake failed")
            case .authMechanismRequiresPassword:
                return StateError(
                    .unavailable,
                    "\(place) asks user \(location.user) for a password, and the URL has none; check the URL the state backend reads from the environment"
                )
            case .unsupportedAuthMechanism, .saslError:
                return StateError(
                    .unavailable,
                    "\(place) could not authenticate user \(location.user): the server asks for an authentication method Handoff does not support (use scram-sha-256, md5 or password)"
                )
            default:
                return StateError(.unavailable, "could not \(action) \(place): the database driver reported \(error.code)")
            }
        }
        if let failure = ConnectFailure.from(error) {
            return StateError(.unavailable, "could not \(action) \(place): \(failure)\(Self.hint(failure))")
        }
        if let error = error as? PostgresDecodingError {
            // Like PSQLError, it describes itself as a placeholder.
            return StateError(.unavailable, "could not \(action) \(place): column \(error.columnName) holds a value Handoff cannot read")
        }
        return StateError(.unavailable, "could not \(action) \(place): \(error)")
    }

    /// What to check after a connection failure.
    static func hint(_ failure: ConnectFailure) -> String {
        switch failure.reason {
        case .refused: "; check that PostgreSQL runs there and accepts TCP connections on that port"
        case .hostNotFound: "; check the host in the URL the state backend reads from the environment"
        case .unreachable, .timedOut, .system: "; check the host, the port and the network"
        }
    }

    /// The reason a TLS library gives (`CERTIFICATE_VERIFY_FAILED`), without the wrapping of its
    /// error values; the whole text when it names none.
    static func tlsReason(_ error: any Error) -> String {
        let text = "\(error)"
        let words = text.split { !($0.isUppercase || $0 == "_" || $0.isNumber) }.filter { $0.contains("_") && $0.count > 4 && $0.first?.isLetter == true }
        return words.last.map(String.init) ?? text
    }

    func table(_ name: String) -> String { "\"\(schema)\".\"\(name)\"" }
}

/// Races an operation against a deadline and against its connection closing, without waiting for
/// the loser, so a database that never answers cannot hold an apply forever.
enum PostgresDeadline {
    static func run<T: Sendable>(
        seconds: Double,
        failure: StateError,
        until closing: EventLoopFuture<Void>,
        closed: StateError,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once()
        return try await withCheckedThrowingContinuation { continuation in
            // A closed connection fails what was sent on it at once; what was written before it
            // closed may still have been committed, which the next run reads back.
            closing.whenComplete { _ in
                if once.claim() { continuation.resume(throwing: closed) }
            }
            let work = Task {
                do {
                    let value = try await operation()
                    if once.claim() { continuation.resume(returning: value) }
                } catch {
                    if once.claim() { continuation.resume(throwing: error) }
                }
            }
            let timer = Task {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                guard !Task.isCancelled, once.claim() else { return }
                work.cancel()
                continuation.resume(throwing: failure)
            }
            // The timer goes as soon as the work is done, whichever way.
            Task {
                _ = await work.result
                timer.cancel()
            }
        }
    }

    private final class Once: Sendable {
        private let done = Mutex(false)

        /// True for the first caller only.
        func claim() -> Bool {
            done.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }
}
