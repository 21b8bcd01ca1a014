import Foundation
import OrderedJSON

/// The `Accept` header on v3 routes (checklist row 2): PagerDuty's guide sends the versioned v2
/// type, Terraform's client `application/json`; both are served. Under `strictAccept` anything
/// else is answered 406, so a test can show that Handoff's client sends what a strict server takes.
extension SandboxAPI {
    /// Whether `accept` (absent, or a list of media ranges) names a type the v3 API serves.
    static func acceptableV3(_ accept: String?) -> Bool {
        guard let accept, !accept.allSatisfy(\.isWhitespace) else { return true }
        // A header of many kilobytes is not read range by range.
        guard accept.utf8.count <= 1024 else { return false }
        return accept.split(separator: ",").prefix(32).contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first else { return false }
            if type == "application/json" { return true }
            return type == "application/vnd.pagerduty+json" && parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "version=2" }
        }
    }

    /// The 406 of `strictAccept`, in the generic error shape (`errors` a list).
    func notAcceptable() -> SandboxReply {
        .error(
            406, "Not Acceptable", code: 2001,
            errors: ["Accept must be application/vnd.pagerduty+json;version=2 or application/json"], quirks: quirks
        )
    }
}
