/// How Maestro drives Storpheus during a compose (service-contracts.md §4.6), in process: submit, retry 503s and 5xx
/// after 2/5/10/20 s, follow the job to its end, then split the unified result by role.
struct StorpheusBridge: Sendable {
    let storpheus: Storpheus
    let gate: FaultGate
    let faults: FaultPlan
    let configuration: StackConfiguration
    let determinism: Determinism

    /// What a section's generation came to.
    enum Outcome: Sendable {
        case generated(GenerationOutput, durationMs: Int)
        case failed(String)
    }

    /// Maestro's pre-flight health probe.
    var isHealthy: Bool { !faults.storpheusDown }

    /// Generates one section: one unified `/generate` for all roles.
    func generate(_ parameters: GenerateParameters) async -> Outcome {
        let durationMs = Storpheus.latency(for: parameters.cacheKey, determinism, configuration)
        for delay in [0, 2, 5, 10, 20] {
            if delay > 0 {
                do { try await Task.sleep(for: .seconds(delay)) } catch { return .failed("Generation was cancelled") }
            }
            if faults.storpheusDown { return .failed("Storpheus is not responding") }
            await gate.delay(service: .storpheus)
            if gate.failsInProcess(
                service: .storpheus,
                key: "generate \(parameters.cacheKey) \(parameters.traceID ?? "")"
            ) {
                continue  // an HTTP 5xx from Storpheus: Maestro retries
            }
            switch await storpheus.submit(parameters) {
            case .cached(_, _, let output):
                return .generated(output, durationMs: durationMs)
            case .queueFull:
                continue
            case .job(_, let jobID):
                guard let job = await storpheus.outcome(jobID) else {
                    return .failed("Storpheus job \(jobID) vanished")
                }
                switch job.status {
                case .complete:
                    if let output = job.output { return .generated(output, durationMs: durationMs) }
                    return .failed("Storpheus returned no result")
                case .failed:
                    return .failed(job.error ?? "Storpheus generation failed")
                default:
                    return .failed("Storpheus job \(job.status.rawValue)")
                }
            }
        }
        return .failed("Storpheus unavailable after 5 attempts")
    }

    /// Which channel label each role takes: exact label, else a substring match either way, else a GM-family
    /// alias; each label goes to at most one role. A role with no label gets every flat note (nil here).
    static func assign(roles: [String], labels: [String], family: StyleFamily) -> [String: String] {
        var assigned: [String: String] = [:]
        var claimed = Set<String>()
        let keys = roles.map { $0.trimmingWhitespace().lowercased() }
        func claim(_ rule: (String, String) -> Bool) {
            for role in keys where assigned[role] == nil {
                if let label = labels.first(where: { !claimed.contains($0) && rule(role, $0) }) {
                    assigned[role] = label
                    claimed.insert(label)
                }
            }
        }
        claim { $0 == $1 }
        claim { role, label in label.contains(role) || role.contains(Self.family(of: label)) }
        claim { role, label in
            Self.aliases(RoleProfile(role: role, family: family).part).contains(Self.family(of: label))
        }
        return assigned
    }

    private static func family(of label: String) -> String {
        guard let underscore = label.lastIndex(of: "_"),
            label[label.index(after: underscore)...].allSatisfy(\.isNumber),
            underscore != label.index(before: label.endIndex)
        else { return label }
        return String(label[..<underscore])
    }

    private static func aliases(_ part: RoleProfile.Part) -> [String] {
        switch part {
        case .drums: ["drums"]
        case .bass: ["bass"]
        case .chords: ["piano", "organ", "guitar", "strings", "ensemble", "synth_pad", "chromatic_perc"]
        case .pad: ["synth_pad", "ensemble", "strings", "piano", "organ"]
        case .melody: ["synth_lead", "reed", "brass", "pipe", "strings", "chromatic_perc", "piano", "guitar", "ethnic"]
        case .arpeggio: ["synth_fx", "synth_lead", "chromatic_perc", "piano"]
        }
    }
}
