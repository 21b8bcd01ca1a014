import Foundation
import HandoffTime
import OrderedJSON

/// `/escalation_policies` (v2 reference, section 6; v3 checklist rows 7 and 10), as much as
/// shift-based schedules need: GET one and the list, POST, and PUT of the rules and their
/// targets. A target names a layered schedule as `schedule_reference` and a shift-based one as
/// `schedule_v3_reference`; a shift-based id sent as `schedule_reference` is PagerDuty's 404 code
/// 2100 (a Terraform provider report, issue 1125), and so, in the simulator, is the reverse.
/// `DELETE /v3/schedules/{id}` is refused while any policy targets the schedule.
extension SandboxAPI {

    // MARK: - The account's policies

    /// The stored policies, then the built-in one of each schedule that has one and that no
    /// stored policy stands in for.
    func allEscalationPolicies() async -> [SandboxEscalationPolicy] {
        let stored = await store.storedEscalationPolicies()
        let storedIDs = Set(stored.map(\.id))
        let builtIn = await store.allSchedules().compactMap(builtInEscalationPolicy).filter { !storedIDs.contains($0.id) }
        return stored + builtIn
    }

    /// The policy every layered schedule sits on (so `/oncalls` knows it), and a shift-based one
    /// marked as used by a policy: one rule, the schedule alone, at level 1.
    func builtInEscalationPolicy(_ schedule: SandboxSchedule) -> SandboxEscalationPolicy? {
        guard !schedule.isV3 || schedule.v3?.referencedByEscalationPolicy == true else { return nil }
        let tail = schedule.id.dropFirst()
        let target = SandboxEscalationTarget(type: schedule.isV3 ? "schedule_v3_reference" : "schedule_reference", id: schedule.id)
        return SandboxEscalationPolicy(
            id: "E" + tail, name: "\(schedule.name) policy", rules: [SandboxEscalationRule(id: "R" + tail, delayMinutes: 30, targets: [target])]
        )
    }

    /// Whether any policy targets the schedule `id`.
    func escalationPolicyReferences(scheduleID id: String) async -> Bool {
        await allEscalationPolicies().contains { $0.references(scheduleID: id) }
    }

    /// The policies whose rules target the schedule `id`, and the level (1-based) of the first
    /// such rule in each: what `/oncalls` and the schedule's `escalation_policies` show.
    func escalationPolicies(using id: String) async -> [(policy: SandboxEscalationPolicy, level: Int)] {
        Self.escalationPolicies(await allEscalationPolicies(), using: id)
    }

    static func escalationPolicies(_ all: [SandboxEscalationPolicy], using id: String) -> [(policy: SandboxEscalationPolicy, level: Int)] {
        all.compactMap { policy in
            policy.rules.firstIndex { $0.targets.contains { $0.id == id && $0.isSchedule } }.map { (policy, $0 + 1) }
        }
    }

    func policyReference(_ policy: SandboxEscalationPolicy) -> JSONValue {
        .object([
            ("id", .string(policy.id)),
            ("type", .string("escalation_policy_reference")),
            ("summary", .string(policy.name)),
            ("self", .string("\(base)/escalation_policies/\(policy.id)")),
            ("html_url", .string("\(Self.webBase)/escalation_policies/\(policy.id)")),
        ])
    }

    // MARK: - Endpoints

    func listEscalationPolicies(_ query: QueryParameters) async -> SandboxReply {
        var policies = await allEscalationPolicies().sorted { ($0.name.lowercased(), $0.id) < ($1.name.lowercased(), $1.id) }
        if let text = query["query"]?.lowercased(), !text.isEmpty {
            policies = policies.filter { $0.name.lowercased().contains(text) }
        }
        if query["sort_by"] == "name:desc" { policies.reverse() }
        var items: [JSONValue] = []
        for policy in policies { items.append(await escalationPolicyJSON(policy)) }
        return paginate(items, query, key: "escalation_policies") { $0 }
    }

    func getEscalationPolicy(_ id: String) async -> SandboxReply {
        guard let policy = await allEscalationPolicies().first(where: { $0.id == id }) else { return notFound() }
        return .json(200, .object([("escalation_policy", await escalationPolicyJSON(policy))]))
    }

    func createEscalationPolicy(body: [UInt8], contentType: String?) async -> SandboxReply {
        guard contentType?.lowercased().hasPrefix("application/json") == true else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["Content-Type must be application/json"], quirks: quirks)
        }
        guard await store.storedEscalationPolicies().count < Self.maximumEscalationPolicies else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["The account has too many escalation policies"], quirks: quirks)
        }
        let draft = SandboxEscalationPolicy(id: await store.nextID(prefix: "E"), name: "", rules: [])
        return await storeEscalationPolicy(body, over: draft, creating: true)
    }

    func updateEscalationPolicy(_ id: String, body: [UInt8], contentType: String?) async -> SandboxReply {
        guard contentType?.lowercased().hasPrefix("application/json") == true else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["Content-Type must be application/json"], quirks: quirks)
        }
        guard let existing = await allEscalationPolicies().first(where: { $0.id == id }) else { return notFound() }
        return await storeEscalationPolicy(body, over: existing, creating: false)
    }

    /// Reads `{"escalation_policy": {...}}` over `policy` (a field left out keeps its value;
    /// `name` and `escalation_rules` are required on create), checks it and stores it.
    private func storeEscalationPolicy(_ body: [UInt8], over policy: SandboxEscalationPolicy, creating: Bool) async -> SandboxReply {
        guard let fields = (try? JSONValue.parse(body))?["escalation_policy"], fields.objectValue != nil else {
            return .error(400, "Invalid Input Provided", code: 2001, errors: ["escalation_policy is required"], quirks: quirks)
        }
        var policy = policy
        var problems: [String] = []
        if let value = fields["name"] {
            if let name = value.stringValue, (1...Self.v3MaximumName).contains(name.count) { policy.name = name } else {
                problems.append("Name must be 1 to \(Self.v3MaximumName) characters")
            }
        } else if creating {
            problems.append("Name is required")
        }
        if let value = fields["description"] {
            if value.isNull { policy.description = nil } else if let text = value.stringValue, text.count <= Self.v3MaximumDescription {
                policy.description = text
            } else {
                problems.append("Description must be at most \(Self.v3MaximumDescription) characters")
            }
        }
        if let value = fields["num_loops"], !value.isNull {
            if let loops = value.intValue, (0...9).contains(loops) { policy.numLoops = loops } else { problems.append("Num loops must be 0 to 9") }
        }
        var targets: [SandboxEscalationTarget] = []
        if let value = fields["escalation_rules"] {
            let list = value.arrayValue ?? []
            if value.arrayValue == nil || !(1...Self.maximumEscalationRules).contains(list.count) {
                problems.append("Escalation rules must be a list of 1 to \(Self.maximumEscalationRules) rules")
            } else {
                var rules: [SandboxEscalationRule] = []
                for (index, rule) in list.enumerated() {
                    guard let parsed = escalationRule(rule, number: index + 1, keeping: policy.rules, problems: &problems) else { continue }
                    rules.append(parsed)
                    targets += parsed.targets
                }
                policy.rules = rules
            }
        } else if creating {
            problems.append("Escalation rules are required")
        }
        guard problems.isEmpty else { return .error(400, "Invalid Input Provided", code: 2001, errors: problems, quirks: quirks) }
        // Every target must exist and be of the kind its type says (PagerDuty: 404, code 2100).
        for target in targets {
            if target.type == "user_reference" {
                if await store.user(id: target.id) == nil { return notFound() }
            } else {
                guard let schedule = await store.schedule(id: target.id), schedule.isV3 == (target.type == "schedule_v3_reference") else { return notFound() }
            }
        }
        for (index, rule) in policy.rules.enumerated() where rule.id.isEmpty { policy.rules[index].id = await store.nextID(prefix: "R") }
        do { try await store.putEscalationPolicy(policy) } catch { return v3StoreFailure() }
        return .json(creating ? 201 : 200, .object([("escalation_policy", await escalationPolicyJSON(policy))]))
    }

    /// One rule: `escalation_delay_in_minutes` (default 30) and 1 to 10 targets. A rule that
    /// names the `id` of one the policy has keeps that id; others get a new one when stored.
    private func escalationRule(_ rule: JSONValue, number: Int, keeping old: [SandboxEscalationRule], problems: inout [String]) -> SandboxEscalationRule? {
        guard rule.objectValue != nil else {
            problems.append("Escalation rule \(number) must be an object")
            return nil
        }
        var delay = 30
        if let value = rule["escalation_delay_in_minutes"], !value.isNull {
            guard let minutes = value.intValue, (1...Self.maximumEscalationDelay).contains(minutes) else {
                problems.append("Escalation rule \(number) must have a delay of 1 to \(Self.maximumEscalationDelay) minutes")
                return nil
            }
            delay = minutes
        }
        let list = rule["targets"]?.arrayValue ?? []
        guard (1...10).contains(list.count) else {
            problems.append("Escalation rule \(number) must have 1 to 10 targets")
            return nil
        }
        var targets: [SandboxEscalationTarget] = []
        for target in list {
            let id = target["id"]?.stringValue ?? ""
            let type: String
            switch target["type"]?.stringValue {
            case "user", "user_reference": type = "user_reference"
            case "schedule", "schedule_reference": type = "schedule_reference"
            case "schedule_v3_reference": type = "schedule_v3_reference"
            default:
                problems.append("Escalation rule \(number) has a target of unknown type")
                return nil
            }
            guard !id.isEmpty, id.utf8.count <= 64 else {
                problems.append("Escalation rule \(number) has a target without an id")
                return nil
            }
            targets.append(SandboxEscalationTarget(type: type, id: id))
        }
        let keptID = rule["id"]?.stringValue.flatMap { id in old.contains { $0.id == id } ? id : nil } ?? ""
        return SandboxEscalationRule(id: keptID, delayMinutes: delay, targets: targets)
    }

    /// The most policies the account stores, rules a policy has, and minutes a rule waits: the
    /// simulator's bounds.
    static let maximumEscalationPolicies = 1000
    static let maximumEscalationRules = 20
    static let maximumEscalationDelay = 10_080

    // MARK: - Rendering

    func escalationPolicyJSON(_ policy: SandboxEscalationPolicy) async -> JSONValue {
        var rules: [JSONValue] = []
        for rule in policy.rules {
            var targets: [JSONValue] = []
            for target in rule.targets { targets.append(await escalationTargetJSON(target)) }
            rules.append(.object([("id", .string(rule.id)), ("escalation_delay_in_minutes", .int(rule.delayMinutes)), ("targets", .array(targets))]))
        }
        var pairs: [(String, JSONValue)] = [
            ("id", .string(policy.id)),
            ("type", .string("escalation_policy")),
            ("summary", .string(policy.name)),
            ("self", .string("\(base)/escalation_policies/\(policy.id)")),
            ("html_url", .string("\(Self.webBase)/escalation_policies/\(policy.id)")),
            ("name", .string(policy.name)),
        ]
        if let description = policy.description { pairs.append(("description", .string(description))) }
        pairs += [
            ("num_loops", .int(policy.numLoops)),
            ("on_call_handoff_notifications", .string("if_has_services")),
            ("escalation_rules", .array(rules)),
            ("services", .array([])),
            ("teams", .array([])),
        ]
        return .object(pairs)
    }

    private func escalationTargetJSON(_ target: SandboxEscalationTarget) async -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(target.id)), ("type", .string(target.type))]
        if target.type == "user_reference" {
            if let user = await store.user(id: target.id) { return userReference(user) }
        } else if let schedule = await store.schedule(id: target.id) {
            pairs += [
                ("summary", .string(schedule.name)),
                ("self", target.type == "schedule_v3_reference" ? v3Self(schedule.id) : .string("\(base)/schedules/\(schedule.id)")),
                ("html_url", .string("\(Self.webBase)/schedules/\(schedule.id)")),
            ]
        }
        return .object(pairs)
    }
}
