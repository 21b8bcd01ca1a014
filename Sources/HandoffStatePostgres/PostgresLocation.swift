import Foundation
import NIOSSL
import Logging
import PostgresNIO

/// Where the state database is, from a URL such as
/// `postgres://handoff:secret@db.example.com:5432/oncall?sslmode=verify-full`. The password stays
/// inside: every description shows the address without it.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, CaseIterable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, without verifying its certificate (libpq's default).
        case prefer
        /// TLS always, without verifying the certificate.
        case require
        /// TLS always, the certificate checked against the system's trusted roots.
        case verifyCA = "verify-ca"
        /// As verify-ca, and the certificate must name the host.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    private var password: String?
    public var database: String
    public var tls: TLSMode

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses the URL; the error never repeats it (it may hold a password).
    public init(url: String, variable: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased()), let host = components.host, !host.isEmpty
        else {
            throw Failure(description: "\(variable) does not hold a PostgreSQL URL such as postgres://user:password@host:5432/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = components.percentEncodedUser?.removingPercentEncoding ?? "postgres"
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else {
            throw Failure(
                description: "\(variable) asks for sslmode=\(mode); use one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self.tls = tls
    }

    /// `postgres://handoff@db.example.com:5432/oncall`, without the password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    func configuration() throws -> PostgresConnection.Configuration {
        let tlsConfiguration: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable:
            tlsConfiguration = .disable
        case .prefer, .require:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            let context = try NIOSSLContext(configuration: settings)
            tlsConfiguration = tls == .prefer ? .prefer(context) : .require(context)
        case .verifyCA, .verifyFull:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = tls == .verifyFull ? .fullVerification : .noHostnameVerification
            tlsConfiguration = .require(try NIOSSLContext(configuration: settings))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsConfiguration
        )
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}

/// Runs one SQL statement against a database: for administration tools and tests, outside any
/// state session (it takes no lock and checks no serial).
public enum PostgresSQL {
    public static func execute(_ location: PostgresLocation, _ sql: String) async throws {
        var logger = Logger(label: "handoff.postgres.sql")
        logger.logLevel = .critical
        let connection = try await PostgresConnection.connect(configuration: try location.configuration(), id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
