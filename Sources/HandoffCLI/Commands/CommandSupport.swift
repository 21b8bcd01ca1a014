import ArgumentParser
import Foundation
import HandoffConfig
import HandoffConnectionKinds
import HandoffDestination
import HandoffState
import HandoffSync
import HandoffTime

// MARK: - Numbers from the command line

/// The instants `--now` and `--at` may name: years 1970 to 9000, so that every window a command
/// looks at around them (years of rotation, a horizon) stays inside the calendar Handoff counts in.
let instantOptionRange = Instant(secondsSinceEpoch: 0)...Instant(secondsSinceEpoch: 221_845_392_000)

/// An RFC 3339 option within `instantOptionRange`; `example` shows the form.
func parseInstantOption(_ name: String, _ text: String, example: String) throws -> Instant {
    guard let instant = Instant(rfc3339: text) else {
        throw ValidationError("\(name) must be an RFC 3339 time such as \(example), not \(text)")
    }
    guard instantOptionRange.contains(instant) else {
        throw ValidationError("\(name) must be a time from 1970 to 9000, not \(text)")
    }
    return instant
}

/// `--now`, for tests and what-if reviews.
func parseNow(_ text: String?) throws -> Instant {
    guard let text else { return Instant.now }
    return try parseInstantOption("--now", text, example: "2026-12-01T09:00:00Z")
}

/// The longest `--lock-timeout`: a day. Beyond it a run is better failed than left waiting.
let maximumLockTimeout: Double = 86_400

/// `--lock-timeout`: `30s`, `5m`, `1h` or plain seconds, from 0 to a day (never NaN or infinite,
/// so no conversion of it can trap).
func parseLockTimeout(_ text: String) throws -> Double {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    var seconds = Double(text)
    if seconds == nil, let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()) { seconds = value * factor }
    guard let seconds, seconds.isFinite, seconds >= 0, seconds <= maximumLockTimeout else {
        throw ValidationError("--lock-timeout must be a duration from 0 to 24h such as 30s, 5m or 1h, not \(text)")
    }
    return seconds
}

/// An integer option that must lie in `range`: the usage error names the range.
func checkRange(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
        throw ValidationError("\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
    }
}

/// Destinations an apply works on at once, and PagerDuty requests a plan keeps in flight.
let parallelismRange = 1...64

/// What every command that talks to PagerDuty starts from: the hosts the pipeline allows keys to
/// go to, and long waits (a 429, a retry) announced on standard error, where they cannot break
/// output on standard output.
func connectionOptions() throws -> ConnectionOptions {
    var options = ConnectionOptions()
    options.kinds = .standard()
    options.apiHosts = try .fromEnvironment()
    options.progress = { Terminal.standardError.progress($0) }
    return options
}

/// Turns sync failures into command failures, one sentence per line.
func commandFailure(_ error: any Error) -> CommandFailure {
    switch error {
    case let failure as CommandFailure: return failure
    case let sync as SyncError: return CommandFailure(sync.messages.joined(separator: "\nerror: "))
    default: return CommandFailure("\(error)")
    }
}
