import Foundation
import HandoffTestSupport
import Testing

/// The golden-file helper itself: a recording run must fail after writing, so that leaving
/// `HANDOFF_RECORD_GOLDEN=1` on can never turn a changed output into a passing test.
@Suite("Golden files: recording fails, checking compares")
struct GoldenTests {
    /// A fresh temporary folder for one test, removed afterwards.
    private func withFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-golden-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    private func read(_ folder: String, _ name: String) -> String? {
        try? String(contentsOfFile: (folder as NSString).appendingPathComponent(name), encoding: .utf8)
    }

    @Test("recording a missing golden file writes it and fails")
    func recordingMissingFails() throws {
        try withFolder { folder in
            let failure = Golden.check("one\ntwo\n", name: "new.txt", folder: folder, recording: true)
            #expect(failure?.contains("recorded new golden file new.txt") == true, "\(failure ?? "passed")")
            #expect(read(folder, "new.txt") == "one\ntwo\n")
        }
    }

    @Test("recording over a different golden file rewrites it and fails")
    func recordingChangedFails() throws {
        try withFolder { folder in
            #expect(Golden.check("old\n", name: "g.txt", folder: folder, recording: true) != nil)
            let failure = Golden.check("new\n", name: "g.txt", folder: folder, recording: true)
            #expect(failure?.contains("recorded golden file g.txt") == true, "\(failure ?? "passed")")
            #expect(read(folder, "g.txt") == "new\n")
        }
    }

    @Test("recording over an equal golden file still fails: a recording run never passes")
    func recordingEqualFails() throws {
        try withFolder { folder in
            #expect(Golden.check("same\n", name: "g.txt", folder: folder, recording: true) != nil)
            let failure = Golden.check("same\n", name: "g.txt", folder: folder, recording: true)
            #expect(failure?.contains("unchanged") == true, "\(failure ?? "passed")")
            #expect(failure?.contains("without HANDOFF_RECORD_GOLDEN") == true)
            #expect(read(folder, "g.txt") == "same\n")
        }
    }

    @Test("checking an equal golden file passes")
    func equalPasses() throws {
        try withFolder { folder in
            _ = Golden.check("a\nb\n", name: "g.txt", folder: folder, recording: true)
            #expect(Golden.check("a\nb\n", name: "g.txt", folder: folder, recording: false) == nil)
        }
    }

    @Test("checking a different golden file fails, showing the first differing line, and leaves the file alone")
    func differentFailsWithDiff() throws {
        try withFolder { folder in
            _ = Golden.check("a\nb\nc\n", name: "g.txt", folder: folder, recording: true)
            let failure = try #require(Golden.check("a\nB\nc\n", name: "g.txt", folder: folder, recording: false))
            #expect(failure.contains("g.txt differs at line 2"), "\(failure)")
            #expect(failure.contains("expected: b"))
            #expect(failure.contains("actual:   B"))
            #expect(read(folder, "g.txt") == "a\nb\nc\n")
            let shorter = try #require(Golden.check("a\nb\n", name: "g.txt", folder: folder, recording: false))
            #expect(shorter.contains("actual:   <end>") || shorter.contains("expected: c"), "\(shorter)")
        }
    }

    @Test("checking a missing golden file fails without writing it")
    func missingFails() throws {
        try withFolder { folder in
            let failure = Golden.check("x\n", name: "none.txt", folder: folder, recording: false)
            #expect(failure?.contains("is missing") == true)
            #expect(read(folder, "none.txt") == nil)
        }
    }
}
