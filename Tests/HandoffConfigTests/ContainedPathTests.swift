import Foundation
@testable import HandoffConfig
import HandoffTestSupport
import Testing
import YAMLNodes

/// Paths the configuration names stay inside the configuration directory: by their spelling at
/// validation, and through the file system where they are used.
@Suite("Paths in the configuration stay inside its directory")
struct ContainedPathTests {
    @Test("spelling: absolute, home, .. and control characters are refused", arguments: [
        ("/proc/self/environ", "it is not relative to the configuration directory"),
        ("~/state.json", "it is not relative to the configuration directory"),
        ("../state.json", "it leads out of the configuration directory through \"..\""),
        (".handoff/../../state.json", "it leads out of the configuration directory through \"..\""),
        ("", "it is empty"),
        ("state\n.json", "it holds a control character"),
    ])
    func spelling(path: String, problem: String) {
        #expect(ContainedPath.problem(path) == problem)
    }

    @Test("ordinary relative paths pass", arguments: [".handoff/state.json", "state.json", "a/b/state..json", "./x/y.json"])
    func ordinary(path: String) {
        #expect(ContainedPath.problem(path) == nil)
    }

    @Test("through the file system: links out are refused, links within and missing files pass")
    func fileSystem() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-contained-\(UUID().uuidString)")
        let inside = root.appendingPathComponent("config")
        let outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: inside.appendingPathComponent("real"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let links = [("out", outside.path), ("within", "real"), ("environ", "/proc/self/environ"), ("dangling", outside.appendingPathComponent("none").path)]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(atPath: inside.appendingPathComponent(name).path, withDestinationPath: target)
        }
        let directory = inside.path
        #expect(throws: ContainedPath.Escape.self) { try ContainedPath.resolve("out/state.json", in: directory, role: "the state file") }
        #expect(throws: ContainedPath.Escape.self) { try ContainedPath.resolve("environ", in: directory, role: "the state file") }
        #expect(throws: ContainedPath.Escape.self) { try ContainedPath.resolve("dangling", in: directory, role: "the state file") }
        #expect(throws: ContainedPath.Escape.self) { try ContainedPath.resolve("../outside/x", in: directory, role: "the state file") }
        #expect(try ContainedPath.resolve("within/state.json", in: directory, role: "the state file") == directory + "/within/state.json")
        #expect(try ContainedPath.resolve(".handoff/state.json", in: directory, role: "the state file") == directory + "/.handoff/state.json")
        do {
            _ = try ContainedPath.resolve("out/state.json", in: directory, role: "the state file")
        } catch {
            #expect(error.description == "the state file \"out/state.json\" leads out of the configuration directory through a symbolic link; Handoff reads and writes only inside it")
        }
    }

    @Test("fail closed: a link loop, a chain of dangling links out, or a directory that cannot be resolved is refused")
    func failClosed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-contained-\(UUID().uuidString)")
        let inside = root.appendingPathComponent("config")
        let outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: inside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let links = [("loop", "loop"), ("ping", "pong"), ("pong", "ping"), ("first", "second"), ("second", outside.appendingPathComponent("none").path), ("inner", "missing")]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(atPath: inside.appendingPathComponent(name).path, withDestinationPath: target)
        }
        let directory = inside.path
        for path in ["loop", "loop/state.json", "ping/state.json"] {
            #expect(throws: ContainedPath.Escape.self, "\(path)") { try ContainedPath.resolve(path, in: directory, role: "the state file") }
        }
        do {
            _ = try ContainedPath.resolve("loop/state.json", in: directory, role: "the state file")
        } catch {
            #expect(error.description == "the state file \"loop/state.json\" cannot be checked (too many levels of symbolic links), so it is not used; "
                + "Handoff reads and writes only where it can show that the path stays inside the configuration directory")
        }
        // A dangling link to a dangling link out is judged where the chain ends.
        #expect(throws: ContainedPath.Escape.self) { try ContainedPath.resolve("first", in: directory, role: "the state file") }
        #expect(try ContainedPath.resolve("inner", in: directory, role: "the state file") == directory + "/inner")
        let missing = root.appendingPathComponent("missing").path
        do {
            _ = try ContainedPath.resolve("state.json", in: missing, role: "the state file")
            Issue.record("a directory that does not exist was taken as containing the path")
        } catch {
            #expect(error.description == "the state file \"state.json\" cannot be checked: the configuration directory cannot be resolved (no such file or directory)")
        }
    }

    @Test("one containment rule for the walk and for named paths: the root and below, never a sibling with the same prefix")
    func containment() {
        #expect(ContainedPath.isInside("/srv/config", root: "/srv/config"))
        #expect(ContainedPath.isInside("/srv/config/a/b", root: "/srv/config"))
        #expect(!ContainedPath.isInside("/srv/configx/a", root: "/srv/config"))
        #expect(!ContainedPath.isInside("/srv", root: "/srv/config"))
        #expect(ContainedPath.isInside("/etc/passwd", root: "/"))
        #expect(ContainedPath.components(of: "/srv/config/.git/config", below: "/srv/config") == [".git", "config"])
        #expect(ContainedPath.components(of: "/srv/config", below: "/srv/config").isEmpty)
        #expect(ContainedPath.components(of: "/etc/x", below: "/") == ["etc", "x"])
    }

    @Test("validate reports each path at its line")
    func validation() throws {
        let text = MarkedText("""
            version: 1
            state: { backend: local, path: 1️⃣/etc/state.json }
            connections:
              demo: { type: sandbox, data: 2️⃣../data.json, seed: 3️⃣/tmp/seed.yaml }

            """)
        let loaded = ConfigurationLoader.load(files: [("a.yaml", Array(text.text.utf8))], directory: ".")
        let errors = loaded.diagnostics.filter { $0.message.contains("inside the configuration directory") }
        let expected = ["1️⃣", "2️⃣", "3️⃣"].map { [text[$0].line, text[$0].column] }
        #expect(errors.compactMap { $0.location.map { [$0.line, $0.column] } } == expected)
    }
}
