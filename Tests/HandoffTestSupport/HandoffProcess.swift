public import Foundation

/// Runs the built `handoff` executable as a user or a CI job would, and captures what it prints.
public struct HandoffProcess: Sendable {
    public struct Output: Sendable {
        public var exitCode: Int32
        public var standardOutput: String
        public var standardError: String
        /// The run outlived its `timeout` and was killed.
        public var timedOut = false
    }

    /// The `handoff` binary beside the test bundle (both are products of one build).
    public static var executable: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("handoff")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        // `swift test` on Linux runs the test bundle from the products directory too; this is a fallback
        // for runners that start it elsewhere.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/handoff")
    }

    /// The package root, for paths to `examples/`.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `handoff arguments…` in `directory`, with colour off and no terminal, and waits; with a
    /// `timeout` (seconds), a run still going then is killed and reported as `timedOut`, so a test
    /// of a hang fails instead of hanging.
    /// - Parameter launcher: a program and its arguments that start `handoff` (such as
    ///   `["/usr/bin/prlimit", "--fsize=400"]`, to run it under a limit of its own).
    public static func run(
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String] = [:],
        input: String? = nil,
        timeout: Double? = nil,
        launcher: [String] = []
    ) throws -> Output {
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory ?? packageRoot
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let output = Pipe.privateToChild()
        let error = Pipe.privateToChild()
        let stdin = Pipe.privateToChild()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        let watchdog = Watchdog()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if watchdog.fire() { Foundation.kill(pid, SIGKILL) }
            }
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        let collected = Collected()
        group.enter()
        DispatchQueue.global().async {
            collected.setError(error.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(
            exitCode: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: collected.error, as: UTF8.self),
            timedOut: !watchdog.disarm()
        )
    }
}

extension HandoffProcess {
    /// The same, waiting on a thread of its own: tests that serve the child from this process (a
    /// simulated PagerDuty, a database) must not block the few threads Swift concurrency has, or
    /// the child waits for a server that cannot answer.
    public static func run(
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String] = [:],
        input: String? = nil,
        timeout: Double? = nil,
        launcher: [String] = []
    ) async throws -> Output {
        try await offPool { try run(arguments, in: directory, environment: environment, input: input, timeout: timeout, launcher: launcher) }
    }

    /// Runs blocking work on a thread outside Swift concurrency's pool and waits for it.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

extension HandoffProcess {
    /// A `handoff` process left running, to be killed or waited for; its output is discarded.
    public struct Running: Sendable {
        let process: Process

        public var pid: Int32 { process.processIdentifier }
        public var isRunning: Bool { process.isRunning }

        /// Sends SIGKILL: the process stops at once, mid-request or mid-write.
        public func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        public func wait() -> Int32 {
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// Waits for the exit on a thread of its own (see `run(_:in:environment:input:) async`).
        public func wait() async -> Int32 {
            (try? await HandoffProcess.offPool { wait() }) ?? -1
        }

        /// Kills and waits on a thread of its own.
        public func kill() async {
            _ = try? await HandoffProcess.offPool { kill() }
        }
    }

    public static func start(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        merged["NO_COLOR"] = "1"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process)
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var storage = Data()

    func setError(_ data: Data) {
        lock.lock()
        storage = data
        lock.unlock()
    }

    var error: Data {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// Decides once whether a run ended by itself (`disarm` first) or was killed (`fire` first).
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var decided = false

    /// True when the watchdog fires before the run was seen to end.
    func fire() -> Bool { decide() }

    /// True when the run ended before the watchdog fired.
    func disarm() -> Bool { decide() }

    private func decide() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if decided { return false }
        decided = true
        return true
    }
}
