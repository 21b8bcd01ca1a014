import Foundation
import SafeText

/// Standard output and error, and whether colour is welcome on them: only on a terminal, never
/// with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`.
struct Terminal: Sendable {
    let descriptor: Int32

    static let standardOutput = Terminal(descriptor: STDOUT_FILENO)
    static let standardError = Terminal(descriptor: STDERR_FILENO)

    var isTerminal: Bool { isatty(descriptor) == 1 }

    var usesColour: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }

    func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(Data(text.utf8))
    }

    /// `error: message` on one line. Messages quote PagerDuty's answers, lock holders and names,
    /// so the message is shown through `SafeText.line`: nothing in it reaches the terminal raw.
    func error(_ message: String) {
        write((usesColour ? Style.error("error:") : "error:") + " " + SafeText.line(message) + "\n")
    }

    /// A line of progress (`waiting 21 s before retrying …`), escaped as `error(_:)` is. Written
    /// to standard error, it leaves output on standard output (JSON, a plan) whole; on a terminal
    /// it first clears a live line (apply's `Applying: 3/10 requests`), which redraws after it.
    func progress(_ message: String) {
        write((isTerminal ? "\r\u{1B}[K" : "") + SafeText.line(message) + "\n")
    }

    /// `warning: message` on one line, escaped as `error(_:)` is.
    func warning(_ message: String) {
        write((usesColour ? Style.warning("warning:") : "warning:") + " " + SafeText.line(message) + "\n")
    }
}

/// ANSI styles for the few places colour helps a reader (error labels, plan signs).
enum Style {
    static func error(_ text: String) -> String { "\u{1B}[1;31m\(text)\u{1B}[0m" }
    static func warning(_ text: String) -> String { "\u{1B}[1;33m\(text)\u{1B}[0m" }
    static func green(_ text: String) -> String { "\u{1B}[32m\(text)\u{1B}[0m" }
    static func bold(_ text: String) -> String { "\u{1B}[1m\(text)\u{1B}[0m" }
}
