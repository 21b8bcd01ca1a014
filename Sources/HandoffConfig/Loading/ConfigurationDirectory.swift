import Foundation
import YAMLNodes
import SafeText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bounds of the walk through a configuration directory, so that a directory full of links or
/// files costs bounded time and memory and ends in an error that names the limit.
public struct DirectoryLimits: Sendable, Hashable {
    /// Deepest folder nesting below the configuration directory.
    public var maxDepth: Int
    /// Most names examined, hidden ones included (a folder of a million dot-files is not read
    /// into memory).
    public var maxEntries: Int

    public init(maxDepth: Int = 32, maxEntries: Int = 10_000) {
        self.maxDepth = maxDepth
        self.maxEntries = maxEntries
    }

    public static let `default` = DirectoryLimits()
}

/// The YAML files of a configuration directory, found by a walk that a hostile pull request cannot
/// turn against the pipeline: it never follows a symbolic link out of the directory (a link to
/// `/proc/self/environ` would print the key) or into a hidden folder below it (`.git/config`),
/// reads every real directory once (links such as `a -> .` cannot make it loop), is bounded in
/// depth and entries, and names every file it does not read instead of skipping it silently
/// (`b.YAML`, a dangling link, a name that is not UTF-8).
struct ConfigurationDirectory {
    /// A YAML file to read: its path relative to the directory and the real path to open.
    struct File {
        var relative: String
        var realPath: String
        var isLink: Bool
    }

    /// A limit of the walk was hit; the diagnostic says which.
    struct LimitExceeded: Error {
        var diagnostic: Diagnostic
    }

    private let directory: String
    private let displayDirectory: String
    private let realRoot: String
    private let limits: DirectoryLimits

    private(set) var files: [File] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var visitedDirectories: Set<String> = []
    private var linkedDirectories: [(relative: String, realPath: String, depth: Int)] = []
    private var entries = 0

    /// Walks `directory`; throws `LimitExceeded` when a limit is hit, and a system error when the
    /// directory itself cannot be read.
    static func walk(_ directory: String, displayDirectory: String, limits: DirectoryLimits) throws -> ConfigurationDirectory {
        guard let realRoot = ContainedPath.realPath(directory) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: directory])
        }
        var walk = ConfigurationDirectory(directory: directory, displayDirectory: displayDirectory, realRoot: realRoot, limits: limits)
        try walk.run()
        return walk
    }

    private init(directory: String, displayDirectory: String, realRoot: String, limits: DirectoryLimits) {
        self.directory = directory
        self.displayDirectory = displayDirectory
        self.realRoot = realRoot
        self.limits = limits
    }

    // MARK: - The walk

    private mutating func run() throws {
        visitedDirectories.insert(realRoot)
        try walk(relative: "", realDirectory: realRoot, depth: 0)
        // Links to directories are followed after every real directory is read, so that files are
        // named by their real place and a link to a directory already read is recognised as such.
        var next = 0
        while next < linkedDirectories.count {
            let link = linkedDirectories[next]
            next += 1
            guard visitedDirectories.insert(link.realPath).inserted else {
                warn("\(shown(link.relative)) is a link to a folder that is already read; it is not read again", link.relative)
                continue
            }
            try walk(relative: link.relative, realDirectory: link.realPath, depth: link.depth)
        }
        removeDuplicateFiles()
    }

    private mutating func walk(relative: String, realDirectory: String, depth: Int) throws {
        if depth > limits.maxDepth {
            throw LimitExceeded(
                diagnostic: .error(
                    "\(shown(relative)) is nested more than \(limits.maxDepth) folders deep, the limit of the configuration loader",
                    at: nil
                )
            )
        }
        let names = try Self.entryNames(in: path(relative), limit: limits.maxEntries - entries)
        for bytes in names {
            entries += 1
            if entries > limits.maxEntries {
                throw LimitExceeded(
                    diagnostic: .error(
                        "configuration directory \(displayDirectory) holds more than \(limits.maxEntries) files and folders, "
                            + "the limit of the configuration loader",
                        at: nil
                    )
                )
            }
            if bytes.first == UInt8(ascii: ".") { continue }
            guard let name = String(validating: bytes, as: UTF8.self), SafeText.firstUnsafe(in: name) == nil else {
                let escaped = join(relative, Self.escapedName(bytes))
                fail("the file name \(shown(escaped)) is not printable UTF-8 text; rename it", escaped)
                continue
            }
            let child = join(relative, name)
            try visit(child, name: name, realDirectory: realDirectory, depth: depth)
        }
    }

    private mutating func visit(_ child: String, name: String, realDirectory: String, depth: Int) throws {
        let full = path(child)
        guard let kind = Self.kind(of: full, followingLinks: false) else {
            fail("\(shown(child)) cannot be read", child)
            return
        }
        switch kind {
        case .directory:
            let real = Self.join(realDirectory, name)
            guard visitedDirectories.insert(real).inserted else { return }
            try walk(relative: child, realDirectory: real, depth: depth + 1)
        case .regularFile:
            consider(child, name: name, realPath: Self.join(realDirectory, name), isLink: false)
        case .other:
            if Self.looksLikeYAML(name) { fail("\(shown(child)) is not a regular file, so it is not read", child) }
        case .link:
            guard let real = ContainedPath.realPath(full), let target = Self.kind(of: real, followingLinks: false) else {
                if Self.looksLikeYAML(name) {
                    fail("\(shown(child)) is a symbolic link to a file that does not exist", child)
                }
                return
            }
            guard ContainedPath.isInside(real, root: realRoot) else {
                // A link out is never followed; it is an error where it would have been read.
                if target == .directory || Self.looksLikeYAML(name) {
                    fail(
                        "\(shown(child)) is a symbolic link that leads outside the configuration directory; "
                            + "Handoff reads only files inside it",
                        child
                    )
                }
                return
            }
            if ContainedPath.components(of: real, below: realRoot).contains(where: { $0.hasPrefix(".") }) {
                // Hidden folders are not configuration (`.git/config` can hold a checkout's
                // credentials): a link into one is refused like a link out.
                if target == .directory || Self.looksLikeYAML(name) {
                    fail(
                        "\(shown(child)) is a symbolic link into a hidden file or folder; Handoff does not read those, so the link is not followed",
                        child
                    )
                }
                return
            }
            switch target {
            case .directory:
                linkedDirectories.append((child, real, depth + 1))
            case .regularFile:
                consider(child, name: name, realPath: real, isLink: true)
            case .other, .link:
                if Self.looksLikeYAML(name) { fail("\(shown(child)) does not lead to a regular file, so it is not read", child) }
            }
        }
    }

    /// Lower-case `.yaml` and `.yml` files are read; the same extensions in another case are an
    /// error, since a reader would expect them to count.
    private mutating func consider(_ child: String, name: String, realPath: String, isLink: Bool) {
        if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            files.append(File(relative: child, realPath: realPath, isLink: isLink))
        } else if Self.looksLikeYAML(name) {
            fail("\(shown(child)) is not read because only the lower-case extensions .yaml and .yml are; rename it", child)
        }
    }

    /// A file reached twice (a link to a file that is also read directly) is read once, under its
    /// own name rather than the link's.
    private mutating func removeDuplicateFiles() {
        var firstByRealPath: [String: Int] = [:]
        var keep = [Bool](repeating: true, count: files.count)
        for (index, file) in files.enumerated() {
            guard let first = firstByRealPath[file.realPath] else {
                firstByRealPath[file.realPath] = index
                continue
            }
            let (kept, dropped) = files[first].isLink && !file.isLink ? (index, first) : (first, index)
            keep[dropped] = false
            firstByRealPath[file.realPath] = kept
            warn(
                "\(shown(files[dropped].relative)) is a link to \(shown(files[kept].relative)), which is already read; it is not read again",
                files[dropped].relative
            )
        }
        files = files.enumerated().filter { keep[$0.offset] }.map(\.element)
        // Sorted path order, as documented, whatever order the walk found them in.
        files.sort { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
    }

    // MARK: - Helpers

    private func path(_ relative: String) -> String {
        relative.isEmpty ? directory : (directory as NSString).appendingPathComponent(relative)
    }

    private func join(_ relative: String, _ name: String) -> String {
        relative.isEmpty ? name : relative + "/" + name
    }

    private static func join(_ realDirectory: String, _ name: String) -> String {
        realDirectory.hasSuffix("/") ? realDirectory + name : realDirectory + "/" + name
    }

    /// The path of an entry as diagnostics show it.
    func shown(_ relative: String) -> String {
        displayDirectory == "." ? relative : (displayDirectory.hasSuffix("/") ? displayDirectory + relative : displayDirectory + "/" + relative)
    }

    private mutating func fail(_ message: String, _ relative: String) {
        diagnostics.append(.error(message, at: SourceLocation(path: shown(relative), line: 1, column: 1)))
    }

    private mutating func warn(_ message: String, _ relative: String) {
        diagnostics.append(.warning(message, at: SourceLocation(path: shown(relative), line: 1, column: 1)))
    }

    static func looksLikeYAML(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml")
    }

    /// Printable ASCII kept, every other byte as `\x{FF}`: a name that is not text, shown safely.
    static func escapedName(_ bytes: [UInt8]) -> String {
        var result = ""
        for byte in bytes {
            if byte >= 0x20, byte < 0x7F {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "\\x{" + String(byte, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }

    // MARK: - The file system, without following links unless asked

    enum Kind: Equatable {
        case directory, regularFile, link, other
    }

    static func kind(of path: String, followingLinks: Bool) -> Kind? {
        var info = stat()
        let result = followingLinks ? stat(path, &info) : lstat(path, &info)
        guard result == 0 else { return nil }
        switch Int(info.st_mode) & Int(S_IFMT) {
        case Int(S_IFDIR): return .directory
        case Int(S_IFREG): return .regularFile
        case Int(S_IFLNK): return .link
        default: return .other
        }
    }

    /// The raw names in a directory (the bytes, so that a name that is not UTF-8 is still seen),
    /// sorted bytewise; reading stops after `limit` + 1 names, hidden ones included, since the walk
    /// stops there anyway.
    static func entryNames(in directory: String, limit: Int) throws -> [[UInt8]] {
        guard let handle = opendir(directory) else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: directory])
        }
        defer { closedir(handle) }
        var names: [[UInt8]] = []
        while names.count <= limit, let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
