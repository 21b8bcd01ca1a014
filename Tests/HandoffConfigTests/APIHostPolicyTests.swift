import HandoffConfig
import HandoffTestSupport
import Testing
import YAMLNodes

/// Where a PagerDuty key may go (issue 12, item 3): PagerDuty's API and loopback by default, other
/// hosts only from the pipeline's `HANDOFF_ALLOWED_API_HOSTS`, never from the configuration.
@Suite("API host policy")
struct APIHostPolicyTests {
    @Test(
        "PagerDuty's API hosts over https and loopback over http or https are allowed by default",
        arguments: [
            "https://api.pagerduty.com", "https://api.eu.pagerduty.com", "https://API.PagerDuty.com:443/", "https://api.pagerduty.com/v2",
            "http://127.0.0.1:8080", "https://127.5.6.7", "http://[::1]:9000", "http://localhost:1234", "https://LOCALHOST",
        ]
    )
    func allowedByDefault(url: String) {
        #expect(APIHostPolicy().violation(url) == nil)
    }

    @Test(
        "any other host, userinfo, other schemes, http to a remote host and addresses parsers could read differently are refused",
        arguments: [
            ("https://evil.example", "names evil.example, which is not PagerDuty's API"),
            ("https://api.pagerduty.com.evil.example", "names api.pagerduty.com.evil.example, which is not"),
            ("https://api.pagerduty.com:8443", "names api.pagerduty.com:8443, which is not"),
            ("https://10.0.0.1", "names 10.0.0.1, which is not"),
            ("http://api.pagerduty.com", "uses http:// to api.pagerduty.com; the key is sent over https:// only"),
            ("http://127.1", "uses http:// to 127.1"),
            ("http://0x7f.0.0.1", "uses http:// to 0x7f.0.0.1"),
            ("https://user:secret@api.pagerduty.com", "must not carry a user name or password"),
            ("https://api.pagerduty.com@evil.example", "must not carry a user name or password"),
            ("ftp://api.pagerduty.com", "not a \"ftp\" address"),
            ("api.pagerduty.com", "must be an https:// address"),
            ("https://api.pagerduty.com?host=evil.example", "must not have a query"),
            ("https://api.pagerduty.com#x", "must not have a query"),
            ("https://evil.example/@api.pagerduty.com", "must have a path of letters"),
            ("https://api.pagerduty.com\\@evil.example", "must be a plain address"),
            ("https://evil.example%2F@api.pagerduty.com", "must be a plain address"),
            ("https://api.pagerduty.com\r\nHost: evil.example", "must be a plain address"),
            ("https://", "must name a host"),
            ("https://api.pagerduty.com:0", "must name a host"),
            ("https://api.pagerduty.com:99999", "must name a host"),
        ]
    )
    func refused(url: String, reason: String) {
        let violation = APIHostPolicy().violation(url)
        #expect(violation?.contains(reason) == true, "\(url): \(violation ?? "allowed")")
        #expect(violation?.contains("\r") != true && violation?.contains("\n") != true)
    }

    @Test("hosts from HANDOFF_ALLOWED_API_HOSTS are allowed over https, exactly, on the port they name (443 when none)")
    func allowList() throws {
        let policy = try APIHostPolicy(allowList: " pd-proxy.example.com , Other.Example:8443,,")
        #expect(policy.allowedHosts == [.init(name: "pd-proxy.example.com"), .init(name: "other.example", port: 8443)])
        #expect(policy.violation("https://pd-proxy.example.com") == nil)
        #expect(policy.violation("https://pd-proxy.example.com:443/pagerduty") == nil)
        #expect(policy.violation("https://other.example:8443") == nil)
        #expect(policy.violation("https://api.pagerduty.com") == nil)
        #expect(policy.violation("https://other.example") != nil)
        #expect(policy.violation("https://pd-proxy.example.com:8443") != nil)
        #expect(policy.violation("https://proxy.example.com") != nil)
        #expect(policy.violation("https://x.pd-proxy.example.com") != nil)
        #expect(policy.violation("http://pd-proxy.example.com")?.contains("https:// only") == true)
        #expect(try APIHostPolicy(allowList: nil) == APIHostPolicy())
        #expect(try APIHostPolicy(allowList: "") == APIHostPolicy())
    }

    @Test("a HANDOFF_ALLOWED_API_HOSTS that is not a list of hosts is an error naming the variable", arguments: ["https://x.example", "a b", "x.example:0", "x.example:99999", "user@x.example", "x.example/path"])
    func badAllowList(value: String) {
        #expect {
            try APIHostPolicy(allowList: "ok.example, \(value)")
        } throws: { error in
            "\(error)".hasPrefix("HANDOFF_ALLOWED_API_HOSTS must list host names separated by commas")
        }
    }

    @Test("validate reports a host the key may not go to at the api_url line; the pipeline's allow-list lets it pass")
    func validation() throws {
        let marked = MarkedText("""
            version: 1
            connections:
              acme:
                type: pagerduty
                token_env: PAGERDUTY_TOKEN
                api_url: 1️⃣https://evil.example
              local: { type: pagerduty, token_env: LOCAL_TOKEN, api_url: "http://127.0.0.1:8080" }
              sneaky: { type: pagerduty, token_env: SNEAKY_TOKEN, api_url: 2️⃣"https://me:pw@api.pagerduty.com" }

            """)
        let files = [("handoff.yaml", Array(marked.text.utf8))]
        let loaded = ConfigurationLoader.load(files: files, directory: ".")
        #expect(loaded.configuration == nil)
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 2, "\(errors.map(\.description))")
        #expect(errors.first?.location?.start == marked["1️⃣"])
        #expect(errors.first?.message.hasPrefix("connection \"acme\": \"api_url\" names evil.example, which is not PagerDuty's API") == true)
        #expect(errors.first?.message.contains("HANDOFF_ALLOWED_API_HOSTS") == true)
        #expect(errors.last?.location?.start == marked["2️⃣"])

        let allowed = ConfigurationLoader.load(files: files, directory: ".", apiHosts: try APIHostPolicy(allowList: "evil.example"))
        #expect(allowed.diagnostics.filter { $0.severity == .error }.map(\.message) == [
            "connection \"sneaky\": \"api_url\" must not carry a user name or password before an @; the key is the only credential Handoff sends"
        ])
    }
}
