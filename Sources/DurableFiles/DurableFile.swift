import Foundation

/// Writes that survive a crash at any instant: a file is replaced whole or not at all
/// (temporary file, fsync, rename, fsync of the folder), and an appended line is on disk before
/// the call returns.
public enum DurableFile {
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
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, "write", errno) }
        do {
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

    /// Appends `line` and a newline to `path` (created if missing) and flushes it to disk.
    public static func appendLine(_ line: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try createDirectory(directory.isEmpty ? "." : directory)
        let existed = FileManager.default.fileExists(atPath: path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, "append to", errno) }
        defer { close(descriptor) }
        try writeAll(descriptor, line + [UInt8(ascii: "\n")], path: path)
        guard fsync(descriptor) == 0 else { throw failure(path, "flush", errno) }
        if !existed { syncDirectory(directory.isEmpty ? "." : directory) }
    }

    /// Removes `path` if it exists.
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure(path, "remove", errno) }
        let directory = (path as NSString).deletingLastPathComponent
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// The contents of `path`, or nil when it does not exist.
    public static func read(_ path: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(path: path, operation: "read", reason: "permission denied or not a file")
        }
        return [UInt8](data)
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
