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
    /// it that exists resolves, symbolic links followed, to a place inside `directory`. When that
    /// cannot be shown (a link loop, a folder that cannot be searched, a directory that cannot be
    /// resolved) the path is refused: containment is never assumed.
    /// - Parameter role: what the path is for, for the message (`the state file`).
    public static func resolve(_ path: String, in directory: String, role: String) throws(Escape) -> String {
        if let problem = problem(path) {
            throw Escape(description: "\(role) \"\(path)\" cannot be used: \(problem)")
        }
        let full = (directory as NSString).appendingPathComponent(path)
        guard let root = realPath(directory) else {
            throw Escape(description: "\(role) \"\(path)\" cannot be checked: the configuration directory cannot be resolved (\(reason(errno)))")
        }
        // The deepest existing ancestor (the file itself when it exists) must resolve inside.
        var existing = full
        while !existing.isEmpty, existing != "/", !exists(existing) {
            existing = (existing as NSString).deletingLastPathComponent
        }
        let resolved: String
        switch resolvedAllowingDanglingLink(existing) {
        case .success(let path): resolved = path
        case .failure(let code):
            throw Escape(
                description: "\(role) \"\(path)\" cannot be checked (\(reason(code.rawValue))), so it is not used; "
                    + "Handoff reads and writes only where it can show that the path stays inside the configuration directory"
            )
        }
        guard isInside(resolved, root: root) else {
            throw Escape(description: "\(role) \"\(path)\" leads out of the configuration directory through a symbolic link; Handoff reads and writes only inside it")
        }
        return full
    }

    /// True when something (a dangling link included) is at `path`.
    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// The system's reason for `code`, in lower case for a sentence.
    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }

    /// An `errno` value, as the failure of a resolution.
    struct SystemError: Error {
        var rawValue: Int32
    }

    /// The real path of `path`; a dangling link (or a chain of them, up to 40 links as the system
    /// allows) is judged by where it points: the real folder of its target, and the target's name.
    private static func resolvedAllowingDanglingLink(_ path: String) -> Result<String, SystemError> {
        var current = path
        for _ in 0..<40 {
            if let resolved = realPath(current) { return .success(resolved) }
            let code = errno
            guard code == ENOENT, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else {
                return .failure(SystemError(rawValue: code))
            }
            let absolute = target.hasPrefix("/") ? target : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
            let name = (absolute as NSString).lastPathComponent
            guard !name.isEmpty, name != ".", name != ".." else { return .failure(SystemError(rawValue: ENOENT)) }
            guard let folder = realPath((absolute as NSString).deletingLastPathComponent) else { return .failure(SystemError(rawValue: errno)) }
            current = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            // Nothing at the target, not even a link: the file would be created there.
            if !exists(current) { return .success(current) }
        }
        return .failure(SystemError(rawValue: ELOOP))
    }

    // MARK: - Real paths, shared with the configuration walk

    /// The canonical path with every link resolved, or nil (with `errno` set) when it does not
    /// exist, loops, or cannot be searched.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True when the real path `path` is `root` or below it (`/rootx` is not below `/root`).
    static func isInside(_ path: String, root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// The components of the real path `path` below `root` (empty for the root itself or a path
    /// not below it).
    static func components(of path: String, below root: String) -> [Substring] {
        guard isInside(path, root: root), path != root else { return [] }
        return path.dropFirst(root.hasSuffix("/") ? root.count : root.count + 1).split(separator: "/")
    }
}
