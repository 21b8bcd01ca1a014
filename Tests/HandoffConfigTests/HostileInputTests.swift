import Foundation
import HandoffConfig
import HandoffTestSupport
import Testing
import YAMLNodes
import SafeText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A configuration directory written for one test and removed after it.
private struct ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ relative: String, _ text: String) throws {
        let full = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }

    func link(_ relative: String, to destination: String) throws {
        let full = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: destination)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Paths in diagnostics, relative to the directory.
    func relative(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { diagnostic in
            guard let location = diagnostic.location else { return "-: \(diagnostic.severity.rawValue): \(diagnostic.message)" }
            let shown = location.path.hasPrefix(path + "/") ? String(location.path.dropFirst(path.count + 1)) : location.path
            return "\(shown):\(location.line):\(location.column): \(diagnostic.severity.rawValue): \(diagnostic.message)"
        }
    }
}

/// Everything a person would see of the diagnostics: the first line, the excerpt, the note.
func renderedDiagnostics(_ loaded: LoadedConfiguration) -> [String] {
    loaded.diagnostics.map { diagnostic in
        var text = diagnostic.description + "\n"
        if let location = diagnostic.location, let source = loaded.sources[location.path],
            let excerpt = SourceExcerpt.render(source, at: location.start)
        {
            text += excerpt.line + "\n" + excerpt.caret + "\n"
        }
        if let detail = diagnostic.detail { text += "note: \(detail)\n" }
        return text
    }
}

@Suite("Hostile configuration directories")
struct HostileDirectoryTests {
    static let valid = ConfigFixtures.minimal
    static let outsideMessage = "is a symbolic link that leads outside the configuration directory; Handoff reads only files inside it"

    @Test("a link to a file outside the directory is an error naming the link, and the file is never read")
    func linkToFileOutside() throws {
        let outside = try ScratchDirectory()
        let directory = try ScratchDirectory()
        defer { outside.remove(); directory.remove() }
        try outside.file("environ", "PAGERDUTY_TOKEN: u+SECRETKEY\n")
        try directory.file("handoff.yaml", Self.valid)
        try directory.link("env.yaml", to: (outside.path as NSString).appendingPathComponent("environ"))
        try directory.link("up.yaml", to: "../" + (outside.path as NSString).lastPathComponent + "/environ")
        let loaded = ConfigurationLoader.load(directory: directory.path)
        #expect(directory.relative(loaded.diagnostics) == [
            "env.yaml:1:1: error: \(directory.path)/env.yaml \(Self.outsideMessage)",
            "up.yaml:1:1: error: \(directory.path)/up.yaml \(Self.outsideMessage)",
        ])
        #expect(loaded.configuration == nil)
        #expect(!loaded.sources.values.contains { $0.contains("SECRETKEY") })
        #expect(!renderedDiagnostics(loaded).joined().contains("SECRETKEY"))
    }

    @Test("a link to / or to a folder outside is an error and is not walked", .timeLimit(.minutes(1)))
    func linkToFolderOutside() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.file("handoff.yaml", Self.valid)
        try directory.link("root", to: "/")
        try directory.link("etc", to: "/etc")
        let loaded = ConfigurationLoader.load(directory: directory.path)
        #expect(directory.relative(loaded.diagnostics) == [
            "etc:1:1: error: \(directory.path)/etc \(Self.outsideMessage)",
            "root:1:1: error: \(directory.path)/root \(Self.outsideMessage)",
        ])
        #expect(loaded.files.count == 1)
    }

    @Test("links that loop back (a -> ., b -> ., sub/up -> ..) are read once and named", .timeLimit(.minutes(1)))
    func loops() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.file("handoff.yaml", Self.valid)
        try directory.file("sub/more.yaml", "version: 1\n")
        try directory.link("a", to: ".")
        try directory.link("b", to: ".")
        try directory.link("sub/up", to: "..")
        try directory.link("alias.yaml", to: "handoff.yaml")
        try directory.link("shared", to: "sub")
        let loaded = ConfigurationLoader.load(directory: directory.path)
        #expect(loaded.configuration != nil)
        #expect(loaded.files.map { String($0.dropFirst(directory.path.count + 1)) } == ["handoff.yaml", "sub/more.yaml"])
        #expect(directory.relative(loaded.diagnostics) == [
            "a:1:1: warning: \(directory.path)/a is a link to a folder that is already read; it is not read again",
            "alias.yaml:1:1: warning: \(directory.path)/alias.yaml is a link to \(directory.path)/handoff.yaml, which is already read; it is not read again",
            "b:1:1: warning: \(directory.path)/b is a link to a folder that is already read; it is not read again",
            "shared:1:1: warning: \(directory.path)/shared is a link to a folder that is already read; it is not read again",
            "sub/up:1:1: warning: \(directory.path)/sub/up is a link to a folder that is already read; it is not read again",
        ])
    }

    @Test("files keep the sorted path order, whatever order the walk finds them in")
    func sortedOrder() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.file("a/x.yaml", "version: 1\n")
        try directory.file("a.yaml", "version: 1\n")
        try directory.file("b/y.yaml", "version: 1\n")
        try directory.link("c", to: "b")
        try directory.file("c.yaml", "version: 1\n")
        try directory.file("b/z.yaml", "version: 1\n")
        let loaded = ConfigurationLoader.load(directory: directory.path)
        #expect(loaded.files.map { String($0.dropFirst(directory.path.count + 1)) } == ["a.yaml", "a/x.yaml", "b/y.yaml", "b/z.yaml", "c.yaml"])
    }

    @Test("the walk is bounded in depth and in entries, and says which limit it hit")
    func limits() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.file("a/b/c/d/e/deep.yaml", "version: 1\n")
        let deep = ConfigurationLoader.load(directory: directory.path, directoryLimits: DirectoryLimits(maxDepth: 3))
        #expect(deep.diagnostics.map(\.message) == [
            "\(directory.path)/a/b/c/d is nested more than 3 folders deep, the limit of the configuration loader"
        ])
        let wide = try ScratchDirectory()
        defer { wide.remove() }
        for index in 0..<20 { try wide.file("f\(index).yaml", "version: 1\n") }
        let loaded = ConfigurationLoader.load(directory: wide.path, directoryLimits: DirectoryLimits(maxEntries: 10))
        #expect(loaded.diagnostics.map(\.message) == [
            "configuration directory \(wide.path) holds more than 10 files and folders, the limit of the configuration loader"
        ])
        #expect(loaded.configuration == nil)
    }

    @Test("hidden names count towards the entry limit: a folder full of dot-files is not read into memory")
    func hiddenNamesCount() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.file("handoff.yaml", Self.valid)
        for index in 0..<20 { try directory.file(".hidden\(index)", "") }
        let loaded = ConfigurationLoader.load(directory: directory.path, directoryLimits: DirectoryLimits(maxEntries: 10))
        #expect(loaded.diagnostics.map(\.message) == [
            "configuration directory \(directory.path) holds more than 10 files and folders, the limit of the configuration loader"
        ])
        #expect(loaded.configuration == nil)
    }

    @Test("a link into a hidden folder (x.yaml -> .git/config, cfg -> .git) is an error naming the link, and nothing is read")
    func linkIntoHiddenFolder() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.file("handoff.yaml", Self.valid)
        try directory.file(".git/config", "[http]\n\textraheader = AUTHORIZATION: basic SECRETKEY\n")
        try directory.file(".git/more.yaml", "people: SECRETKEY\n")
        try directory.link("x.yaml", to: ".git/config")
        try directory.link("cfg", to: ".git")
        try directory.link("deep.yaml", to: "cfg/config")
        let loaded = ConfigurationLoader.load(directory: directory.path)
        let message = "is a symbolic link into a hidden file or folder; Handoff does not read those, so the link is not followed"
        #expect(directory.relative(loaded.diagnostics) == [
            "cfg:1:1: error: \(directory.path)/cfg \(message)",
            "deep.yaml:1:1: error: \(directory.path)/deep.yaml \(message)",
            "x.yaml:1:1: error: \(directory.path)/x.yaml \(message)",
        ])
        #expect(loaded.configuration == nil)
        #expect(loaded.files.map { String($0.dropFirst(directory.path.count + 1)) } == ["handoff.yaml"])
        #expect(!loaded.sources.values.contains { $0.contains("SECRETKEY") })
        #expect(!renderedDiagnostics(loaded).joined().contains("SECRETKEY"))
    }

    @Test("upper-case extensions, dangling links, odd file types and names that are not UTF-8 are errors naming the file")
    func notSkippedSilently() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.file("handoff.yaml", Self.valid)
        try directory.file("b.YAML", "this: [is broken\n")
        try directory.file("c.Yml", "version: 1\n")
        try directory.link("gone.yaml", to: "missing.yaml")
        try directory.link("gone.txt", to: "missing.txt")
        let fifo = (directory.path as NSString).appendingPathComponent("pipe.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        var name = Array((directory.path + "/bad").utf8)
        name += [0xFF, 0xFE] + Array(".yaml".utf8) + [0]
        let descriptor = name.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_CREAT | O_WRONLY, 0o600) }
        }
        #expect(descriptor >= 0)
        close(descriptor)
        try directory.file("new\nline.yaml", "version: 1\n")
        let loaded = ConfigurationLoader.load(directory: directory.path)
        let d = directory.path
        #expect(directory.relative(loaded.diagnostics) == [
            "b.YAML:1:1: error: \(d)/b.YAML is not read because only the lower-case extensions .yaml and .yml are; rename it",
            #"bad\x{FF}\x{FE}.yaml:1:1: error: the file name "# + d + #"/bad\x{FF}\x{FE}.yaml is not printable UTF-8 text; rename it"#,
            "c.Yml:1:1: error: \(d)/c.Yml is not read because only the lower-case extensions .yaml and .yml are; rename it",
            "gone.yaml:1:1: error: \(d)/gone.yaml is a symbolic link to a file that does not exist",
            #"new\x{A}line.yaml:1:1: error: the file name "# + d + #"/new\x{A}line.yaml is not printable UTF-8 text; rename it"#,
            "pipe.yaml:1:1: error: \(d)/pipe.yaml is not a regular file, so it is not read",
        ])
        #expect(loaded.configuration == nil)
    }

    @Test("a file that is not UTF-8 text is an error at its place, and none of it is shown")
    func notText() throws {
        var invalid = Array("people:\n  alice: { email: alice@example.com, name: SECRET".utf8)
        invalid += [0xC3, 0x28] + Array("SECRET }\n".utf8)
        var nul = Array("version: 1\n# SECRET".utf8)
        nul += [0] + Array("SECRET\n".utf8)
        let loaded = ConfigurationLoader.load(files: [("a.yaml", invalid), ("b.yaml", nul)], directory: ".")
        let message = "this file is not UTF-8 text (it holds an invalid or NUL byte here), so none of it is read or shown"
        #expect(loaded.diagnostics == [
            .error(message, at: SourceLocation(path: "a.yaml", line: 2, column: 50)),
            .error(message, at: SourceLocation(path: "b.yaml", line: 2, column: 9)),
        ])
        #expect(loaded.sources.isEmpty)
        #expect(!renderedDiagnostics(loaded).joined().contains("SECRET"))
    }
}

@Suite("Hostile values in a configuration")
struct HostileValueTests {
    static func person(_ fields: String) -> String {
        ConfigFixtures.minimal.replacingOccurrences(of: "alice: { name: Alice Archer, email: alice@example.com }", with: "alice: { \(fields) }")
    }

    @Test(
        "control characters, escapes and bidi overrides in names, e-mails and references are located errors",
        arguments: [
            (#"name: Alice, email: "a\0@example.com""#, #""email" must not hold control or bidirectional formatting characters, but holds U+0000"#),
            (#"name: "Alice\n```\n@everyone", email: alice@example.com"#, #""name" must not hold control or bidirectional formatting characters, but holds U+000A"#),
            (#"name: "\e]0;pwned\a\e[2J", email: alice@example.com"#, #""name" must not hold control or bidirectional formatting characters, but holds U+001B"#),
            (#"name: "Alice \u202Eredli", email: alice@example.com"#, #""name" must not hold control or bidirectional formatting characters, but holds U+202E"#),
            (#"name: "Alice\x85", email: alice@example.com"#, #""name" must not hold control or bidirectional formatting characters, but holds U+0085"#),
            (#"name: "Alice\t", email: alice@example.com"#, #""name" must not hold control or bidirectional formatting characters, but holds U+0009"#),
        ] as [(String, String)]
    )
    func controlCharacters(fields: String, message: String) throws {
        let loaded = ConfigFixtures.load(Self.person(fields))
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.message) == [message])
        #expect(errors.first?.location?.line == 5)
        #expect(loaded.configuration == nil)
    }

    @Test("a member reference with an escape is an error at it")
    func memberReference() {
        let text = ConfigFixtures.minimal.replacingOccurrences(of: "members: [alice, bob, carol]", with: #"members: [alice, "bob\e[8m", carol]"#)
        let loaded = ConfigFixtures.load(text)
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.message) == ["a member must not hold control or bidirectional formatting characters, but holds U+001B"])
        #expect(errors.first?.location?.line == 12)
    }

    @Test("a description may span lines")
    func multiLineDescription() {
        let text = ConfigFixtures.minimal.replacingOccurrences(
            of: "    time_zone: Europe/Berlin\n",
            with: "    time_zone: Europe/Berlin\n    description: |\n      First line.\n      \tSecond line.\n"
        )
        let loaded = ConfigFixtures.load(text)
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.configuration != nil)
    }

    @Test("messages that quote input carry no raw control character or terminal escape")
    func escapedMessages() {
        let text = ConfigFixtures.minimal.replacingOccurrences(of: "time_zone: Europe/Berlin", with: #"time_zone: "Europe/\e[2JBerlin""#)
            + #""\e]8;;https://evil.example\a\e[31mclick": 1"# + "\n"
        let loaded = ConfigFixtures.load(text)
        let messages = loaded.diagnostics.map(\.message)
        #expect(messages.contains(#"unknown key "\u{1B}]8;;https://evil.example\u{7}\u{1B}[31mclick" in the top level"#))
        #expect(messages.contains { $0.hasPrefix(#""time_zone" must not hold control"#) })
        for line in renderedDiagnostics(loaded) {
            #expect(!line.unicodeScalars.contains { SafeText.isUnsafe($0) && $0 != "\n" })
        }
    }

    @Test("did-you-mean is bounded: no suggestion for a word or a candidate longer than the bound")
    func boundedSuggestion() {
        let long = String(repeating: "a", count: Suggestion.maximumLength + 1)
        #expect(Suggestion.closest(to: long + "b", in: [long + "c"]) == nil)
        #expect(Suggestion.closest(to: long, in: [long + "c"]) == nil)
        let short = String(repeating: "a", count: Suggestion.maximumLength - 1)
        #expect(Suggestion.closest(to: short + "b", in: [short + "c"]) == short + "c")
    }

    @Test("a megabyte-long unknown time zone is rejected at once, with a short message", .timeLimit(.minutes(1)))
    func longTimeZone() {
        let zone = String(repeating: "Europe/Berlin", count: 80_000)
        let loaded = ConfigFixtures.load(ConfigFixtures.minimal.replacingOccurrences(of: "Europe/Berlin", with: zone))
        let messages = loaded.diagnostics.map(\.message)
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("unknown time zone \"Europe/BerlinEurope/") == true)
        #expect((messages.first?.count ?? .max) < 200)
        #expect(renderedDiagnostics(loaded).joined().count < 1_000)
    }
}
