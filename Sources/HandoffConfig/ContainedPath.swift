import Foundation

/// Paths the configuration names (the local state file, a sandbox's data and seed files), kept
/// inside the configuration directory.
///
/// A pull request controls the configuration, so a path in it must not lead `plan` to read or
/// write anywhere else: not by being absolute, not through `..`, and not through a symbolic link
/// committed in the pull request (a `.handoff` folder linked to `/etc`, a state file linked to
/// `/proc/self/environ`). Validation checks the spelling; `resolve` checks the file system when
/// the path is used.
public enum ContainedPath {
    /// Why `path` cannot name a file inside the configuration directory, or nil when it can:
    /// it must be relative, non-empty, without `..` components or control characters.
    public static func problem(_ path: String) -> String? {
        if path.isEmpty { return "it is empty" }
        if path.hasPrefix("/") || path.hasPrefix("~") { return "it is not relative to the configuration directory" }
        if path.split(separator: "/").contains("..") { return "it leads out of the configuration directory through \"..\"" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "it holds a control character" }
        return nil
    }

    /// A path from the configuration refused where it is used.
    public struct Escape: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The full path of `path` (relative to `directory`), after checking that the deepest part of
    /// it that exists resolves, symbolic links followed, to a place inside `directory`.
    /// - Parameter role: what the path is for, for the message (`the state file`).
    public static func resolve(_ path: String, in directory: String, role: String) throws(Escape) -> String {
        if let problem = problem(path) {
            throw Escape(description: "\(role) \"\(path)\" cannot be used: \(problem)")
        }
        let full = (directory as NSString).appendingPathComponent(path)
        guard let root = realPath(directory) else { return full }
        // The deepest existing ancestor (the file itself when it exists) must resolve inside.
        var existing = full
        while !existing.isEmpty, existing != "/", !exists(existing) {
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard let resolved = realPath(existing) else { return full }
        guard resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw Escape(description: "\(role) \"\(path)\" leads out of the configuration directory through a symbolic link; Handoff reads and writes only inside it")
        }
        return full
    }

    /// True when something (a dangling link included) is at `path`.
    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else {
            // A dangling link resolves to nothing: it is judged by where it points.
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                let absolute = target.hasPrefix("/") ? target : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
                return (absolute as NSString).standardizingPath
            }
            return nil
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
