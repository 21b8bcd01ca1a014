import Foundation

/// Writes that survive a crash at any instant: a file is replaced whole or not at all
/// (temporary file, fsync, rename, fsync of the folder), and an appended line is on disk before
/// the call returns, or absent when the write fails (a full disk leaves no half line).
///
/// Files Handoff creates may hold what a pipeline must not show (the state names every override
/// it owns), so a new file is readable by its owner only (0600); a replaced file keeps the mode
/// its owner gave it.
public enum DurableFile {
    /// The mode of a file this type creates.
    public static let newFileMode = 0o600

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var reason: String

        public var description: String { "could not \(operation) \(path): \(reason)" }
    }

    /// Replaces `path` with `contents` atomically, creating missing folders.
    public static func write(_ contents: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        try createDirectory(folder)
        let temporary = "\(folder)/.\((path as NSString).lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(newFileMode))
        guard descriptor >= 0 else { throw failure(path, "write", errno) }
        do {
            // The rename replaces the file with the temporary one: give it the mode of the file it
            // replaces (the umask may have narrowed the one `open` was given).
            var existing = stat()
            let mode = stat(path, &existing) == 0 && (existing.st_mode & S_IFMT) == S_IFREG ? existing.st_mode & 0o7777 : mode_t(newFileMode)
            guard fchmod(descriptor, mode) == 0 else { throw failure(temporary, "set the mode of", errno) }
            try writeAll(descriptor, contents, path: temporary)
            guard fsync(descriptor) == 0 else { throw failure(temporary, "flush", errno) }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure(path, "replace", code)
        }
        syncDirectory(folder)
    }

    /// Appends `line` and a newline to `path` (created if missing) and flushes it to disk. A
    /// symbolic link at `path` is an error, never followed: a link committed beside the state
    /// must not make a run write where the link points.
    public static func appendLine(_ line: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try createDirectory(directory.isEmpty ? "." : directory)
        var existing = stat()
        let existed = lstat(path, &existing) == 0
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, mode_t(newFileMode))
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP { throw Failure(path: path, operation: "append to", reason: linkReason) }
            throw failure(path, "append to", code)
        }
        defer { close(descriptor) }
        let start = lseek(descriptor, 0, SEEK_END)
        do {
            try writeAll(descriptor, line + [UInt8(ascii: "\n")], path: path)
            guard fsync(descriptor) == 0 else { throw failure(path, "flush", errno) }
        } catch {
            // A full disk can take part of the line: cut it off, so that a later line is not glued
            // to half of this one (shrinking a file needs no space).
            if start >= 0 { _ = ftruncate(descriptor, start) }
            throw error
        }
        if !existed { syncDirectory(directory.isEmpty ? "." : directory) }
    }

    /// Removes `path` if it exists.
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure(path, "remove", errno) }
        let directory = (path as NSString).deletingLastPathComponent
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// The largest file `read` takes unless told otherwise: far beyond any state or plan, and
    /// short of what a path to `/dev/zero` would cost.
    public static let defaultReadLimit = 256 << 20

    /// The contents of `path`, or nil when it does not exist. Only a regular file of at most
    /// `limit` bytes is read: a folder, a device or a FIFO at the path is an error, never a wait
    /// or an endless read. With `followingLinks` false a symbolic link at the path is an error too.
    public static func read(_ path: String, limit: Int = defaultReadLimit, followingLinks: Bool = true) throws -> [UInt8]? {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingLinks ? 0 : O_NOFOLLOW)
        let descriptor = open(path, flags)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP, !followingLinks { throw Failure(path: path, operation: "read", reason: linkReason) }
            throw failure(path, "read", code)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path, "read", errno) }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw Failure(path: path, operation: "read", reason: "it is a folder, not a file")
        default: throw Failure(path: path, operation: "read", reason: "it is not a regular file")
        }
        guard status.st_size <= limit else {
            throw Failure(path: path, operation: "read", reason: "it has \(status.st_size) bytes, more than the \(limit) a file of Handoff may have")
        }
        return try readAll(descriptor, path: path, limit: limit)
    }

    /// Why a symbolic link where Handoff does not follow one is an error.
    static let linkReason = "it is a symbolic link, and Handoff does not follow one there"

    /// The bytes of the open regular file `descriptor` up to its end, at most `limit`. Only an
    /// interrupted call is retried: `EAGAIN` (a file locked by another program, opened without
    /// blocking) is an error, never a loop. `read` stands in for the system call in tests.
    static func readAll(
        _ descriptor: Int32,
        path: String,
        limit: Int,
        read: (Int32, UnsafeMutableRawPointer?, Int) -> Int = { Foundation.read($0, $1, $2) }
    ) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure(path, "read", code)
            }
            if count == 0 { break }
            guard bytes.count <= limit - count else {
                throw Failure(path: path, operation: "read", reason: "it grew past the \(limit) bytes a file of Handoff may have while being read")
            }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    private static func createDirectory(_ directory: String) throws {
        guard !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure(path: directory, operation: "create the folder", reason: error.localizedDescription)
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Foundation.write(descriptor, base + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(path, "write", errno)
            }
            offset += written
        }
    }

    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func failure(_ path: String, _ operation: String, _ code: Int32) -> Failure {
        Failure(path: path, operation: operation, reason: String(cString: strerror(code)))
    }
}
