import Foundation
@testable import HandoffState
import HandoffTime

// MARK: - Shared by the local state suites

/// `hours` after Sunday 2026-11-22 12:00 UTC: the instants the suites' records use.
func t(_ hours: Int64) -> Instant { Instant(secondsSinceEpoch: 1_795_348_800 + hours * 3600) }

/// A local state `state.json` in a new folder of its own in the temporary directory, and that
/// folder, for the test to remove.
func makeStore() throws -> (LocalStateStore, String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-state-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return (LocalStateStore(path: directory + "/state.json", displayPath: "state.json"), directory)
}

/// The lock holder of an apply at `t(0)` with the lock id `id`, in process `pid` (this one unless
/// told).
func holder(_ id: String, pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> LockHolder {
    var holder = LockHolder.current(operation: "apply", now: t(0))
    holder.id = id
    holder.pid = pid
    return holder
}
