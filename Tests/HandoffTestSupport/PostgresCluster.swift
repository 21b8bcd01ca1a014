import Foundation
import Synchronization

/// A private PostgreSQL server for the tests: `initdb` in a temporary folder, on a free port of
/// 127.0.0.1, password authentication, stopped when the test process exits. Started once, on
/// first use, from Debian's `postgresql` package; when no server can be started the tests that
/// need one are skipped with the reason, except in CI (`CI=true`), where that is a failure.
///
/// Starting takes seconds of waiting for child processes, so it happens on a thread of its own:
/// blocking Swift concurrency's few threads (two on a small runner) would stall every other test,
/// and with them the simulated PagerDuty they talk to.
public final class PostgresCluster: Sendable {
    public let port: Int
    public let directory: String
    public static let user = "handoff"
    public static let password = "handoff-test-password"
    private let binaries: String
    /// True when the server offers TLS, with a self-signed certificate for `localhost`.
    public let tls: Bool

    /// `postgres://handoff:…@127.0.0.1:PORT/postgres`.
    public var url: String { "postgres://\(Self.user):\(Self.password)@127.0.0.1:\(port)/postgres?sslmode=disable" }

    public func url(password: String? = nil, sslmode: String = "disable", port: Int? = nil) -> String {
        "postgres://\(Self.user):\(password ?? Self.password)@127.0.0.1:\(port ?? self.port)/postgres?sslmode=\(sslmode)"
    }

    private static let started: Mutex<Result<PostgresCluster, StartFailure>?> = Mutex(nil)
    private static let startedTLS: Mutex<Result<PostgresCluster, StartFailure>?> = Mutex(nil)

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A second server, offering TLS with a self-signed certificate (made with `openssl`).
    public static func requireTLS() async throws -> PostgresCluster {
        try await shared(tls: true).get()
    }

    private static func shared(tls: Bool) async -> Result<PostgresCluster, StartFailure> {
        let result = try? await HandoffProcess.offPool {
            if tls { return startedTLS.withLock { start(&$0, tls: true) } }
            return started.withLock { start(&$0, tls: false) }
        }
        return result ?? .failure(StartFailure(description: "the server could not be started"))
    }

    private static func start(_ state: inout Result<PostgresCluster, StartFailure>?, tls: Bool) -> Result<PostgresCluster, StartFailure> {
        if let state { return state }
        let result: Result<PostgresCluster, StartFailure>
        do { result = .success(try PostgresCluster(tls: tls)) } catch let failure as StartFailure { result = .failure(failure) } catch {
            result = .failure(StartFailure(description: "\(error)"))
        }
        state = result
        return result
    }

    /// True when a server runs (or can be started); tests that need one are enabled by this.
    public static func isAvailable() async -> Bool {
        if case .success = await shared(tls: false) { return true }
        return ProcessInfo.processInfo.environment["CI"] == "true"  // in CI the test runs and fails loudly
    }

    /// The server, or the test fails with why none could be started.
    public static func require() async throws -> PostgresCluster {
        try await shared(tls: false).get()
    }

    private init(tls: Bool) throws {
        self.tls = tls
        guard let binaries = Self.findBinaries() else {
            throw StartFailure(description: "no PostgreSQL server binaries (initdb, pg_ctl) are installed; install Debian's postgresql package")
        }
        self.binaries = binaries
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-postgres-\(UUID().uuidString)").path
        port = Self.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = directory + "/password"
        try Self.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if tls {
            try Self.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                 "-keyout", directory + "/server.key", "-out", directory + "/server.crt"],
                asPostgres: false
            )
            chmod(directory + "/server.key", 0o600)
        }
        if geteuid() == 0 { try Self.run(["chown", "-R", "postgres", directory], asPostgres: false) }
        try Self.run(
            [binaries + "/initdb", "-D", directory + "/data", "-U", Self.user, "--auth-local=trust", "--auth-host=scram-sha-256",
             "--pwfile=" + passwordFile, "--no-sync"],
            asPostgres: true
        )
        try start()
        Self.registerStop(self)
    }

    public func start() throws {
        let ssl = tls ? " -c ssl=on -c ssl_cert_file=\(directory)/server.crt -c ssl_key_file=\(directory)/server.key" : ""
        try Self.run(
            [binaries + "/pg_ctl", "-D", directory + "/data", "-l", directory + "/log", "-w", "-o",
             "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off" + ssl, "start"],
            asPostgres: true
        )
    }

    /// Stops at once, as a crash or a lost database would.
    public func stop() throws {
        try Self.run([binaries + "/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"], asPostgres: true)
    }

    private static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root))?.compactMap(Int.init).sorted(by: >) ?? []
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        return nil
    }

    private static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a command (as the postgres user when this process is root: PostgreSQL refuses root),
    /// with posix_spawn and waitpid: `pg_ctl start` leaves a server behind that inherits the
    /// descriptors, which Foundation's Process does not always cope with.
    @discardableResult
    private static func run(_ arguments: [String], asPostgres: Bool) throws -> String {
        var command = arguments
        if asPostgres, geteuid() == 0 { command = ["runuser", "-u", "postgres", "--"] + command }
        command = ["/usr/bin/env"] + command
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-postgres-command-\(UUID().uuidString).log").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else { throw StartFailure(description: "`\(arguments.joined(separator: " "))` could not start: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally with status 0.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw StartFailure(description: "`\(arguments.joined(separator: " "))` failed: \(text.suffix(500))")
        }
        return text
    }

    private static func registerStop(_ cluster: PostgresCluster) {
        PostgresClusterExit.register(stop: [cluster.binaries + "/pg_ctl", "-D", cluster.directory + "/data", "-m", "immediate", "stop"], directory: cluster.directory)
    }
}

/// Stops the servers and removes their folders when the test process exits.
private enum PostgresClusterExit {
    private static let clusters = Mutex<[(command: [String], directory: String)]>([])

    static func register(stop: [String], directory: String) {
        let first = clusters.withLock { clusters in
            clusters.append((stop, directory))
            return clusters.count == 1
        }
        guard first else { return }
        atexit {
            for cluster in PostgresClusterExit.clusters.withLock({ $0 }) {
                var arguments = cluster.command
                if geteuid() == 0 { arguments = ["runuser", "-u", "postgres", "--"] + arguments }
                let line = (["/usr/bin/env"] + arguments).map { "'\($0)'" }.joined(separator: " ") + " >/dev/null 2>&1"
                _ = system(line)
                _ = system("rm -rf '\(cluster.directory)'")
            }
        }
    }
}
