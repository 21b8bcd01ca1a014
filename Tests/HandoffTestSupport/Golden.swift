import Foundation

/// Golden files: expected output kept beside the tests, compared exactly, re-recorded when
/// `HANDOFF_RECORD_GOLDEN=1` is set (then review the diff before committing).
///
/// A recording run always fails, as swift-argument-parser's snapshot helper does: it writes every
/// golden file it checks and reports that it did, so that a run with the switch left on can never
/// pass silently. Run again without the switch to see the tests pass.
public enum Golden {
    /// True when `HANDOFF_RECORD_GOLDEN=1` is set in the environment.
    public static var recording: Bool { ProcessInfo.processInfo.environment["HANDOFF_RECORD_GOLDEN"] == "1" }

    /// Compares `actual` with the golden file `name` in `folder`; returns nil when equal, else a
    /// description of the first difference. When `recording` (by default: the environment switch),
    /// the file is written, equal or not, and the check fails saying so.
    public static func check(_ actual: String, name: String, folder: String, recording: Bool = Golden.recording) -> String? {
        let path = (folder as NSString).appendingPathComponent(name)
        let expected = try? String(contentsOfFile: path, encoding: .utf8)
        if recording {
            if expected != actual {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    try actual.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    return "golden file \(name) could not be recorded: \(error)"
                }
            }
            let what = expected == nil ? "recorded new golden file \(name)" : expected == actual ? "recorded golden file \(name), unchanged" : "recorded golden file \(name)"
            return "\(what); review the diff, then run the tests again without HANDOFF_RECORD_GOLDEN"
        }
        guard let expected else {
            return "golden file \(name) is missing; run the tests with HANDOFF_RECORD_GOLDEN=1 to create it"
        }
        guard expected != actual else { return nil }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let left = index < expectedLines.count ? String(expectedLines[index]) : "<end>"
            let right = index < actualLines.count ? String(actualLines[index]) : "<end>"
            if left != right {
                return "\(name) differs at line \(index + 1):\n  expected: \(left)\n  actual:   \(right)\n(HANDOFF_RECORD_GOLDEN=1 re-records)"
            }
        }
        return "\(name) differs"
    }
}
