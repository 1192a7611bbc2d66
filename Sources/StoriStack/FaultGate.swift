import HTTPTransport
import HTTPWire
import Synchronization

/// Applies the request-level faults of one service before its handler runs: cold start, added latency and the
/// seeded 5xx error rate.
final class FaultGate: Sendable {
    private let plan: FaultPlan
    private let warmedUp = Mutex<Set<String>>([])
    private let occurrences = ScopedCounters()
    private let stopped = Completion<Bool>()

    init(plan: FaultPlan) {
        self.plan = plan
    }

    /// Waits out cold start and latency, then returns a 500 if the error rate picks this request.
    /// Health checks (`spareErrors`) still wait but never fail.
    func admit(
        _ request: HTTPServerRequest,
        service: StackFault.Service,
        spareErrors: Bool
    ) async -> HTTPServerResponse? {
        await delay(service: service)
        guard !spareErrors else { return nil }
        let key = Self.key(of: request)
        let occurrence = occurrences.next("\(service.rawValue)|\(key)")
        if plan.failsWithServerError(service: service, key: key, occurrence: occurrence) {
            return Reply.internalServerError
        }
        return nil
    }

    /// Waits out cold start (the first call to `service` only) and added latency. Maestro calls it before each
    /// in-process submission to Storpheus, so a slow Storpheus slows composes too.
    func delay(service: StackFault.Service) async {
        let coldStart = plan.coldStart(for: service)
        if coldStart > .zero {
            let first = warmedUp.withLock { $0.insert(service.rawValue).inserted }
            if first { await sleep(coldStart) }
        }
        let latency = plan.latency(for: service)
        if latency > .zero { await sleep(latency) }
    }

    /// Ends every fault delay now and makes later ones return at once, so a stack with `latency=10s` still shuts
    /// down promptly.
    func stop() {
        stopped.fulfil(true)
    }

    private func sleep(_ duration: Duration) async {
        _ = await stopped.value(until: ContinuousClock.now + duration)
    }

    /// Whether an in-process call (Maestro submitting to Storpheus) fails like an HTTP 5xx would.
    func failsInProcess(service: StackFault.Service, key: String) -> Bool {
        let occurrence = occurrences.next("\(service.rawValue)|\(key)")
        return plan.failsWithServerError(service: service, key: key, occurrence: occurrence)
    }

    /// A request's identity for fault decisions: method, target and body digest.
    static func key(of request: HTTPServerRequest) -> String {
        "\(request.head.method) \(request.head.target) \(Determinism.digest(request.body))"
    }
}
