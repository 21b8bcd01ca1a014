/// How a PagerDuty key may travel (DESIGN section 9): over https to any host, over plain http
/// only to this machine (a loopback address), where the simulated PagerDuty listens. Written once,
/// here, for everything that decides where a key goes: the configuration's `api_url` check
/// (`APIHostPolicy`) and the client that sends it (`PagerDutyClient`). Which hosts are allowed at
/// all is the policy's business; this is only the rule of the scheme.
public enum KeyTransportRule {
    /// True when a key may be sent with `scheme` (`https`, `http`, any case) to `host`: https to
    /// any host, http to a loopback host only, nothing else.
    public static func allows(scheme: String, host: String) -> Bool {
        switch scheme.lowercased() {
        case "https": return true
        case "http": return isLoopback(host)
        default: return false
        }
    }

    /// True for 127.0.0.0/8 (dotted decimal), ::1 (with or without its brackets) and localhost,
    /// in any case.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            octet.count <= 3 && !octet.isEmpty && octet.allSatisfy { $0.isASCII && $0.isNumber } && (Int(octet) ?? 256) <= 255
        }
    }
}
