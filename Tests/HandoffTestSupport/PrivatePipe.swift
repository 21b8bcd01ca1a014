public import Foundation

extension Pipe {
    /// A pipe whose two ends are closed on exec: the child it is given to still gets it as its
    /// standard stream (the copy made for that is not marked), but no other process started at the
    /// same moment inherits it. Without this, a PostgreSQL server started by a test running in
    /// parallel kept a copy of a `handoff` child's output pipe for its whole life, and the test
    /// reading that output waited for an end that never came.
    public static func privateToChild() -> Pipe {
        let pipe = Pipe()
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
        }
        return pipe
    }
}
