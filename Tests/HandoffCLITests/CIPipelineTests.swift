import Foundation
import HandoffTestSupport
import Testing
import YAMLNodes

/// The CI examples in `examples/ci/` fail loudly: only `handoff plan --detailed-exitcode`'s 0 and 2
/// count as success, a failure is posted as the pull-request comment (with file:line), one comment
/// is updated in place (a hidden marker), the full plan is an artifact, and the daily apply needs
/// nobody's approval. The shell logic runs end to end against a fake `handoff` on PATH.
@Suite("CI pipelines")
struct CIPipelineTests {
    static let marker = "<!-- handoff-plan -->"
    static let ciFolder = HandoffProcess.packageRoot.appendingPathComponent("examples/ci")

    // MARK: - A fake handoff

    /// `handoff validate|plan|show` as a script: exit codes and output come from the environment;
    /// each call is logged to `calls.log`. Code 134/139 kills the fake with SIGABRT/SIGSEGV, as a crash
    /// would; where the test runner left that signal ignored, it exits with the same status instead.
    static let fakeHandoff = #"""
        #!/usr/bin/env bash
        ulimit -c 0
        echo "$*" >> "$FAKE_LOG"
        crash() { case "$1" in 134) kill -ABRT $$ ;; 139) kill -SEGV $$ ;; esac; exit "$1"; }
        case "$1" in
          validate)
            code=${FAKE_VALIDATE_CODE:-0}
            if [ "$code" != 0 ]; then
              echo "oncall/team.yaml:3:5: error: unknown person 'frank' <script>alert(1)</script>" >&2
              echo "1 error" >&2
              crash "$code"
            fi
            echo "Configuration is valid"; exit 0 ;;
          plan)
            out=""
            while [ $# -gt 0 ]; do if [ "$1" = --out ]; then out=$2; shift; fi; shift; done
            code=${FAKE_PLAN_CODE:-0}
            case "$code" in
              0|2)
                if [ -n "$out" ]; then echo "saved plan" > "$out"; fi
                echo "### Handoff plan"
                echo
                for i in $(seq 1 "${FAKE_PLAN_LINES:-1}"); do echo "+ create override $i: Dave Diaz"; done
                exit "$code" ;;
              64) echo "error: unknown option '--bogus'" >&2; echo "Usage: handoff plan [<directory>]" >&2; exit 64 ;;
              *) echo "partial output"; echo "oncall/team.yaml:7:3: error: connection 'acme' refused at https://127.0.0.1:1" >&2; crash "$code" ;;
            esac ;;
          show)
            for i in $(seq 1 "${FAKE_PLAN_LINES:-1}"); do echo "+ create override $i: Dave Diaz"; done
            exit 0 ;;
          apply) echo "applied"; exit 0 ;;
          *) exit 70 ;;
        esac
        """#

    struct Run {
        var status: Int32
        var directory: URL
        var standardError: String

        func file(_ path: String) -> String? {
            try? String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
        }

        var calls: [String] { (file("calls.log") ?? "").split(separator: "\n").map(String.init) }
        var comment: String { file("handoff-plan/comment.md") ?? "" }
    }

    /// Runs a bash script (a file, or text with `-c`) in a fresh folder, with the fake `handoff`
    /// first on PATH (unless `HANDOFF` names another); `prepare` fills the folder first.
    static func runBash(_ arguments: [String], environment: [String: String], prepare: ((URL) throws -> Void)? = nil) throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-ci-\(UUID().uuidString)")
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fake = bin.appendingPathComponent("handoff")
        try installExecutable(fakeHandoff, at: fake, scratch: directory)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("oncall"), withIntermediateDirectories: true)
        try prepare?(directory)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash"] + arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        merged["PATH"] = bin.path + ":" + (merged["PATH"] ?? "/usr/bin:/bin")
        merged["FAKE_LOG"] = directory.appendingPathComponent("calls.log").path
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let error = Pipe.privateToChild()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = error
        try process.run()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, directory: directory, standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// Writes `text` as an executable at `destination` without this process ever holding the
    /// executable open for writing: the text goes to a plain file and `install` (a child process)
    /// copies it into place. Tests run in parallel and spawn processes; a child forked while this
    /// process has a write descriptor on the script inherits it until its own `exec`, and
    /// executing the script in that window fails with "Text file busy" (ETXTBSY).
    static func installExecutable(_ text: String, at destination: URL, scratch: URL) throws {
        let source = scratch.appendingPathComponent(".\(destination.lastPathComponent).source")
        try text.write(to: source, atomically: true, encoding: .utf8)
        let install = Process()
        install.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        install.arguments = ["install", "-m", "0755", source.path, destination.path]
        try install.run()
        install.waitUntilExit()
        guard install.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path])
        }
    }

    static func runPlanScript(_ environment: [String: String]) throws -> Run {
        try runBash([ciFolder.appendingPathComponent("handoff-plan.sh").path, "oncall"], environment: environment)
    }

    // MARK: - handoff-plan.sh end to end

    @Test("plan exit 0 and 2 succeed: the comment holds the marker, the plan and where the full plan is", arguments: [0, 2])
    func planSucceeds(code: Int) throws {
        let run = try Self.runPlanScript(["FAKE_PLAN_CODE": "\(code)", "HANDOFF_PLAN_LINK": "https://ci.example/run/7"])
        #expect(run.status == 0)
        #expect(run.comment.hasPrefix(Self.marker + "\n"))
        #expect(run.comment.contains("### Handoff plan"))
        #expect(run.comment.contains("+ create override 1: Dave Diaz"))
        #expect(run.comment.contains("`plan.txt`"))
        #expect(run.comment.contains("https://ci.example/run/7"))
        #expect(run.file("handoff-plan/plan.txt") == "+ create override 1: Dave Diaz\n")
        #expect(run.file("handoff-plan/plan.out") == "saved plan\n")
        #expect(run.calls.map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["validate", "plan", "show"])
        #expect(run.calls.contains { $0.hasPrefix("plan oncall") && $0.contains("--detailed-exitcode") })
    }

    @Test(
        "every other plan exit code fails, and the comment shows the error with file:line",
        arguments: [(1, "exited with 1"), (64, "exited with 64"), (134, "killed by signal 6"), (139, "killed by signal 11")]
    )
    func planFails(code: Int, reason: String) throws {
        let run = try Self.runPlanScript(["FAKE_PLAN_CODE": "\(code)"])
        #expect(run.status == Int32(code))
        #expect(run.comment.hasPrefix(Self.marker + "\n"))
        #expect(run.comment.contains("`handoff plan oncall` failed"))
        #expect(run.comment.contains(reason))
        if code == 64 {
            #expect(run.comment.contains("error: unknown option '--bogus'"))
        } else {
            #expect(run.comment.contains("oncall/team.yaml:7:3: error: connection 'acme' refused"))
        }
        #expect(!run.comment.contains("### Handoff plan"))
        #expect(!run.comment.contains("partial output"))
        #expect(run.standardError.contains("error: handoff plan oncall"))
        #expect(!run.calls.contains { $0.hasPrefix("show") })
    }

    @Test("a validation failure is the comment, with its diagnostics escaped; nothing is planned", arguments: [1, 64, 139])
    func validateFails(code: Int) throws {
        let run = try Self.runPlanScript(["FAKE_VALIDATE_CODE": "\(code)"])
        #expect(run.status == Int32(code))
        #expect(run.comment.hasPrefix(Self.marker + "\n"))
        #expect(run.comment.contains("`handoff validate oncall` failed"))
        #expect(run.comment.contains("oncall/team.yaml:3:5: error: unknown person 'frank' &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!run.comment.contains("<script>"))
        #expect(run.calls == ["validate oncall"])
    }

    @Test("a plan too long for a comment keeps the comment under the limit and says where the full plan is")
    func largePlan() throws {
        let run = try Self.runPlanScript(["FAKE_PLAN_CODE": "2", "FAKE_PLAN_LINES": "20000"])
        #expect(run.status == 0)
        #expect(run.comment.hasPrefix(Self.marker + "\n"))
        #expect(run.comment.utf8.count <= 60_000)
        #expect(run.comment.contains("too long for a comment"))
        #expect(run.comment.contains("+ create override 1: Dave Diaz"))
        #expect(run.comment.contains("`plan.txt`"))
        #expect((run.file("handoff-plan/plan.txt") ?? "").contains("+ create override 20000: Dave Diaz"))
    }

    // MARK: - handoff-plan.sh with the real handoff

    /// The script against the built `handoff` and a copy of the quickstart (its simulated PagerDuty
    /// is a local file): the real plan, the real diagnostics with file:line, a real usage error.
    @Test("with the real handoff: the plan, the validation diagnostics with file:line, a usage error")
    func realHandoff() throws {
        func run(appending edit: String? = nil, _ planArguments: [String]) throws -> Run {
            try Self.runBash(
                [Self.ciFolder.appendingPathComponent("handoff-plan.sh").path, "oncall"] + planArguments,
                environment: ["HANDOFF": HandoffProcess.executable.path, "NO_COLOR": "1"]
            ) { directory in
                let oncall = directory.appendingPathComponent("oncall")
                try FileManager.default.removeItem(at: oncall)
                try FileManager.default.copyItem(at: HandoffProcess.packageRoot.appendingPathComponent("examples/quickstart"), to: oncall)
                if let edit {
                    let file = oncall.appendingPathComponent("handoff.yaml")
                    try (try String(contentsOf: file, encoding: .utf8) + edit).write(to: file, atomically: true, encoding: .utf8)
                }
            }
        }

        let planned = try run(["--now", "2026-12-01T08:00:00Z"])
        #expect(planned.status == 0)
        #expect(planned.comment.hasPrefix(Self.marker + "\n### Handoff plan: "))
        #expect(planned.comment.contains("platform-primary-pd"))
        #expect(planned.comment.contains("`plan.txt`"))
        #expect((planned.file("handoff-plan/plan.txt") ?? "").contains("platform-primary-pd"))
        #expect(planned.file("handoff-plan/plan.out") != nil)

        let invalid = try run(appending: "people:\n  bob: { email: nope }\n", ["--now", "2026-12-01T08:00:00Z"])
        #expect(invalid.status == 1)
        #expect(invalid.comment.contains("`handoff validate oncall` exited with 1"))
        #expect(invalid.comment.contains("oncall/handoff.yaml:"))
        #expect(invalid.comment.contains(": error: duplicate key \"people\""))

        let usage = try run(["--parallelism", "0"])
        #expect(usage.status == 64)
        #expect(usage.comment.contains("`handoff plan oncall` exited with 64"))
        #expect(usage.comment.contains("error: --parallelism must be between 1 and 64, not 0"))
    }

    // MARK: - The workflow files

    static func load(_ name: String) throws -> YAMLNode {
        let url = ciFolder.appendingPathComponent(name)
        let result = YAMLLoader.load(try String(contentsOf: url, encoding: .utf8), path: name)
        #expect(result.errors.isEmpty, "\(result.errors)")
        return try #require(result.root)
    }

    /// Every string in a node, depth first (scripts, `run:` blocks, `if:` conditions).
    static func strings(in node: YAMLNode?) -> [String] {
        guard let node else { return [] }
        switch node.content {
        case .scalar(let scalar): return [scalar.value]
        case .sequence(let items): return items.flatMap { strings(in: $0) }
        case .mapping(let pairs): return pairs.flatMap { strings(in: $0.value) }
        }
    }

    static func keys(of node: YAMLNode?) -> [String] {
        node?.mapping?.compactMap { $0.key.scalar?.value } ?? []
    }

    /// Runs an apply snippet from a workflow with the fake handoff whose plan exits `code`.
    static func checkApplySnippet(_ snippet: String, file: String) throws {
        for code in [0, 2, 1, 64, 134, 139] {
            let run = try runBash(["-e", "-c", snippet], environment: ["FAKE_PLAN_CODE": "\(code)"])
            let applied = run.calls.contains { $0.hasPrefix("apply") }
            switch code {
            case 0:
                #expect(run.status == 0 && !applied, "\(file): plan exit 0")
            case 2:
                #expect(run.status == 0 && applied, "\(file): plan exit 2")
            default:
                #expect(run.status != 0 && !applied, "\(file): plan exit \(code) must fail the job")
            }
        }
    }

    @Test("GitHub Actions: one pinned version, the plan script, an artifact, one comment updated in place, an unattended daily apply")
    func githubActions() throws {
        let workflow = try Self.load("github-actions.yml")
        let version = try #require(workflow["env"]?["HANDOFF_VERSION"]?.scalar?.value)
        #expect(!version.isEmpty)
        let jobs = try #require(workflow["jobs"]?.mapping)
        #expect(Set(Self.keys(of: workflow["jobs"])) == ["plan", "apply", "scheduled-apply"])
        for job in jobs {
            let runs = Self.strings(in: job.value["steps"])
            let clones = runs.filter { $0.contains("git clone") }
            #expect(clones.count == 1, "\(job.key.scalar?.value ?? "")")
            #expect(clones.allSatisfy { $0.contains("--branch \"v${HANDOFF_VERSION}\"") })
        }

        let plan = try #require(workflow["jobs"]?["plan"])
        let steps = try #require(plan["steps"]?.sequence)
        let script = try #require(steps.first { ($0["run"]?.scalar?.value ?? "").contains("ci/handoff-plan.sh oncall") })
        #expect(script["env"]?["HANDOFF_OUT"]?.scalar?.value == "handoff-plan")
        let upload = try #require(steps.first { ($0["uses"]?.scalar?.value ?? "").hasPrefix("actions/upload-artifact@") })
        #expect(upload["if"]?.scalar?.value == "always()")
        #expect(upload["with"]?["path"]?.scalar?.value == "handoff-plan/")
        let comment = try #require(steps.first { ($0["uses"]?.scalar?.value ?? "").hasPrefix("actions/github-script@") })
        #expect(comment["if"]?.scalar?.value == "always()")
        let body = try #require(comment["with"]?["script"]?.scalar?.value)
        #expect(body.contains(Self.marker))
        #expect(body.contains("updateComment"))
        #expect(body.contains("handoff-plan/comment.md"))

        // The daily run: no environment (required reviewers would stall it), and only the
        // push-triggered apply may have one.
        for (name, job) in jobs.map({ ($0.key.scalar?.value ?? "", $0.value) }) {
            let condition = job["if"]?.scalar?.value ?? ""
            if condition.contains("schedule") {
                #expect(job["environment"] == nil, "\(name) runs on the schedule and must not wait for approval")
            }
        }
        #expect(workflow["jobs"]?["scheduled-apply"]?["if"]?.scalar?.value.contains("'schedule'") == true)
        #expect(workflow["jobs"]?["apply"]?["if"]?.scalar?.value.contains("schedule") == false)

        for name in ["apply", "scheduled-apply"] {
            let snippet = try #require(Self.strings(in: workflow["jobs"]?[name]?["steps"]).first { $0.contains("handoff plan oncall") })
            try Self.checkApplySnippet(snippet, file: "github-actions.yml \(name)")
        }
    }

    @Test("GitLab CI: one pinned version, the plan script, a note updated in place after any outcome, artifacts always, an unattended daily apply")
    func gitlabCI() throws {
        let pipeline = try Self.load("gitlab-ci.yml")
        let version = pipeline["variables"]?["HANDOFF_VERSION"]?.scalar?.value
        let githubVersion = try Self.load("github-actions.yml")["env"]?["HANDOFF_VERSION"]?.scalar?.value
        #expect(version != nil)
        #expect(version == githubVersion)
        let install = Self.strings(in: pipeline[".install"])
        #expect(install.contains { $0.contains("--branch \"v${HANDOFF_VERSION}\"") })

        let plan = try #require(pipeline["plan"])
        #expect(Self.strings(in: plan["script"]).contains { $0.contains("bash ci/handoff-plan.sh oncall") })
        #expect(plan["variables"]?["HANDOFF_OUT"]?.scalar?.value == "handoff-plan")
        let after = Self.strings(in: plan["after_script"]).joined(separator: "\n")
        #expect(after.contains(Self.marker))
        #expect(after.contains("method=PUT"))
        #expect(after.contains("handoff-plan/comment.md"))
        #expect(plan["artifacts"]?["when"]?.scalar?.value == "always")
        #expect(Self.strings(in: plan["artifacts"]?["paths"]) == ["handoff-plan/"])

        let apply = try #require(pipeline["apply"])
        #expect(Self.strings(in: apply["rules"]).contains { $0.contains("\"schedule\"") })
        #expect(apply["environment"] == nil)
        #expect(apply["when"] == nil)
        #expect(!Self.strings(in: apply["rules"]).contains("manual"))
        #expect(Self.strings(in: apply["script"]).contains { $0.contains("--branch \"v${HANDOFF_VERSION}\"") })
        let snippet = try #require(Self.strings(in: apply["script"]).first { $0.contains("handoff plan oncall") })
        try Self.checkApplySnippet(snippet, file: "gitlab-ci.yml apply")
    }

    @Test("the plan script carries the same marker the pipelines search for")
    func scriptMarker() throws {
        let script = try String(contentsOf: Self.ciFolder.appendingPathComponent("handoff-plan.sh"), encoding: .utf8)
        #expect(script.contains("marker='\(Self.marker)'"))
    }
}
