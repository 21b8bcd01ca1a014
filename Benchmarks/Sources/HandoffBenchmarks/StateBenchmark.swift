import ArgumentParser
import Foundation
import HandoffDestination
import HandoffState
import HandoffStatePostgres
import HandoffTime

/// Issue 7: the same state of 2,000 destinations and a million owned overrides, read and written
/// by the local file backend and by the PostgreSQL backend, and the lock round trip as an apply pays it.
struct StateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Read and write a state of 1,000,000 overrides with the local and the postgres backends; time a lock round trip.",
        discussion: """
            Needs a PostgreSQL server: the URL comes from the environment variable named by --url-env.
            `bash Benchmarks/state.sh` starts a throwaway server, runs this, and removes the server.
            """
    )

    @Option(help: "Destinations.") var destinations = 2_000
    @Option(help: "Owned overrides per destination.") var overrides = 500
    @Option(help: "Runs of each measurement; the median is reported.") var runs = 3
    @Option(help: "Lock round trips to time.") var locks = 200
    @Option(help: "The environment variable holding the PostgreSQL URL.") var urlEnv = "HANDOFF_STATE_URL"

    func run() async throws {
        guard let url = ProcessInfo.processInfo.environment[urlEnv] else {
            throw ValidationError("set \(urlEnv) to a PostgreSQL URL, or run `bash Benchmarks/state.sh`")
        }
        let location = try PostgresLocation(url: url, variable: urlEnv)
        let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let now = Instant(secondsSinceEpoch: 1_795_348_800)
        var state = HandoffState(lineage: UUID().uuidString.lowercased(), serial: 7)
        for destination in 0..<destinations {
            let records = (0..<overrides).map { index in
                let start = now.adding(seconds: Int64(index) * 3_600)
                return OverrideRecord(id: "Q\(String(destination * overrides + index, radix: 36).uppercased())XXXXXXXX", start: start, end: start.adding(seconds: 3_600), userID: "PUSER\(index % 97)")
            }
            state.destinations["destination-\(destination)"] = DestinationState(
                connection: "acme", destinationSchedule: "PS\(destination)", watermark: now.adding(seconds: Int64(overrides) * 3_600), overrides: records
            )
        }
        let total = destinations * overrides
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-state-benchmark-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let local = LocalStateStore(path: directory + "/state.json")
        let postgres = PostgresStateStore(location: location, schema: String(schema), workspace: "default")
        let holder = LockHolder.current(operation: "benchmark", now: now)

        func median(_ body: () async throws -> Void) async throws -> Double {
            var times: [Double] = []
            for _ in 0..<runs { times.append(try await measure(body).1) }
            return times.sorted()[times.count / 2]
        }
        /// A whole-state write: the lock, every row or the whole file, the release.
        func write(_ store: any StateStore) async throws {
            let session = try await store.acquire(holder, timeout: 0)
            do {
                var next = state
                next.serial = await session.initialState.serial
                try await session.replace(with: next)
            } catch {
                await session.release()
                throw error
            }
            await session.release()
        }
        /// One confirmed PagerDuty call on the full state: a create of one override.
        func record(_ store: any StateStore, _ index: Int) async throws -> Double {
            let session = try await store.acquire(holder, timeout: 0)
            let start = now.adding(seconds: Int64(overrides + index) * 3_600)
            let change = StateChange(
                destination: "destination-0", connection: "acme", destinationSchedule: "PS0",
                created: [OverrideRecord(id: "QBENCH\(index)", start: start, end: start.adding(seconds: 3_600), userID: "PUSER1")], deleted: []
            )
            let (_, seconds) = try await measure { try await session.record(change) }
            try await session.finish()
            await session.release()
            return seconds
        }

        print("State benchmark: \(destinations) destinations, \(total) owned overrides; median of \(runs) runs")
        let localWrite = try await median { try await write(local) }
        let postgresWrite = try await median { try await write(postgres) }
        var check = try await local.read()
        guard check.destinations.count == destinations else { throw ValidationError("the local state read back is incomplete") }
        let localRead = try await median { check = try await local.read() }
        let postgresRead = try await median { check = try await postgres.read() }
        guard check.destinations.values.reduce(0, { $0 + $1.overrides.count }) == total else {
            throw ValidationError("the postgres state read back is incomplete")
        }
        print("  write (lock, whole state, release): local \(format(localWrite)), postgres \(format(postgresWrite)); ratio \(ratio(postgresWrite / localWrite))")
        print("  read:                               local \(format(localRead)), postgres \(format(postgresRead)); ratio \(ratio(postgresRead / localRead))")
        var localRecords: [Double] = []
        var postgresRecords: [Double] = []
        for index in 0..<max(runs, 5) {
            localRecords.append(try await record(local, index))
            postgresRecords.append(try await record(postgres, index))
        }
        let localRecord = localRecords.sorted()[localRecords.count / 2]
        let postgresRecord = postgresRecords.sorted()[postgresRecords.count / 2]
        print(String(format: "  one recorded call on the full state: local %.2f ms (journal append), postgres %.2f ms (one transaction)", localRecord * 1000, postgresRecord * 1000))

        // On a workspace with nothing in it: a connection with one statement (TCP, authentication),
        // and the acquire and release an apply pays; their difference is the lock itself.
        let empty = PostgresStateStore(location: location, schema: String(schema), workspace: "lock-only")
        var connections: [Double] = []
        for _ in 0..<locks {
            connections.append(try await measure { try await PostgresSQL.execute(location, "SELECT 1") }.1)
        }
        connections.sort()
        print(String(
            format: "  connection (TCP, authentication, one statement) opened and closed, %d times: median %.2f ms, 95th percentile %.2f ms",
            locks, connections[connections.count / 2] * 1000, connections[connections.count * 95 / 100] * 1000
        ))
        var acquires: [Double] = []
        for _ in 0..<locks {
            acquires.append(try await measure {
                let session = try await empty.acquire(holder, timeout: 0)
                await session.release()
            }.1)
        }
        acquires.sort()
        print(String(
            format: "  acquire and release as an apply does (connection, lock, state read, release, close), %d times: median %.2f ms, 95th percentile %.2f ms",
            locks, acquires[acquires.count / 2] * 1000, acquires[acquires.count * 95 / 100] * 1000
        ))
        print(String(format: "  the lock itself (median acquire minus median connection): %.2f ms", (acquires[acquires.count / 2] - connections[connections.count / 2]) * 1000))
        try await PostgresSQL.execute(location, "DROP SCHEMA \"\(schema)\" CASCADE")
    }
}
