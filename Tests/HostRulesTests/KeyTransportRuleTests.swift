import HostRules
import Testing

/// The https-or-loopback rule, written once (issue 15 item 6) for the configuration check and the
/// client alike.
@Suite("HostRules: a key goes over https, or over http to loopback only")
struct KeyTransportRuleTests {
    @Test("https to any host, in any case of the scheme")
    func https() {
        for host in ["api.pagerduty.com", "pd-proxy.example.com", "127.0.0.1", "10.0.0.1"] {
            #expect(KeyTransportRule.allows(scheme: "https", host: host))
            #expect(KeyTransportRule.allows(scheme: "HTTPS", host: host))
        }
    }

    @Test("http to loopback only: 127.0.0.0/8, ::1 with or without brackets, localhost")
    func http() {
        for host in ["127.0.0.1", "127.5.6.7", "127.255.255.255", "::1", "[::1]", "localhost", "LOCALHOST"] {
            #expect(KeyTransportRule.isLoopback(host), "\(host)")
            #expect(KeyTransportRule.allows(scheme: "http", host: host), "\(host)")
        }
        for host in ["api.pagerduty.com", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.256", "127.0.0.1.example.com", "127.1", "::2", "localhost.example.com", "", "127.0.0.0001", "127.+1.0.1"] {
            #expect(!KeyTransportRule.isLoopback(host), "\(host)")
            #expect(!KeyTransportRule.allows(scheme: "http", host: host), "\(host)")
        }
    }

    @Test("no other scheme carries a key, not even to loopback")
    func otherSchemes() {
        for scheme in ["ftp", "ws", "file", "", "httpx"] {
            #expect(!KeyTransportRule.allows(scheme: scheme, host: "127.0.0.1"))
            #expect(!KeyTransportRule.allows(scheme: scheme, host: "api.pagerduty.com"))
        }
    }
}
