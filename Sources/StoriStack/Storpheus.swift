import Foundation
import Hashing
import JSON

/// The simulated Storpheus: a FIFO job queue with a fixed number of workers, an exact-match result cache, deduplication
/// of identical in-flight requests, and in-memory artifacts (real `.mid` files) per composition.
///
/// Deliberate differences from the real service, each chosen so the same seed and requests give the same bytes:
/// - Job ids are name-based UUIDs of the seed, the request's cache key and how many times that key was submitted.
/// - `elapsed` is logical: `0.0` while queued or running, the job's simulated generation time once it ended.
/// - Generated notes depend only on the seed and the cache key (not on `seed` in the request, which is echoed in
///   metadata), so a cache hit and a miss give the same notes.
/// - There is no fuzzy cache match (it would make results depend on which request came first).
/// - Artifacts are written for every `composition_id` that asked for a result, including cache hits and
///   deduplicated requests, so `/artifacts/<traceId>` of every compose lists its files.
/// - Only `.mid` artifacts exist (no audio render or plot).
actor Storpheus {
    enum Status: String, Sendable {
        case queued, running, complete, failed, canceled

        var isTerminal: Bool { self == .complete || self == .failed || self == .canceled }
    }

    struct Job: Sendable {
        var id: String
        var status: Status
        var position: Int?
        var result: JSONValue?
        var error: String?
        var parameters: GenerateParameters
        var cacheKey: String
        var latencyMilliseconds: Int
        var fails: Bool
        var finishedAt: ContinuousClock.Instant?
        /// Every (composition folder, trace id) that should receive this job's artifacts.
        var artifactTargets: [(String, String?)]
        var output: GenerationOutput?
    }

    /// What `/generate` answers.
    enum Submission: Sendable {
        /// A cache hit: a fresh, unregistered job id and the result.
        case cached(jobID: String, result: JSONValue, output: GenerationOutput)
        /// A new or deduplicated job.
        case job(JSONValue, jobID: String)
        /// The queue is full (503).
        case queueFull
    }

    private let configuration: StackConfiguration
    private let determinism: Determinism
    private let faults: FaultPlan
    private let counters = ScopedCounters()
    private var jobs: [String: Job] = [:]
    private var queue: [String] = []
    private var inFlight: [String: String] = [:]
    private var cache: [String: GenerationOutput] = [:]
    private var artifacts: [String: [String: [UInt8]]] = [:]
    private var running = 0
    private var idleWorkers: [CheckedContinuation<Void, Never>] = []
    private var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
    private var nextWaiterToken = 0
    private var workerTasks: [Task<Void, Never>] = []
    private var stopped = false
    private let clock = ContinuousClock()

    init(configuration: StackConfiguration, determinism: Determinism, faults: FaultPlan) {
        self.configuration = configuration
        self.determinism = determinism
        self.faults = faults
    }

    /// Starts the workers.
    func start() {
        for _ in 0..<max(configuration.storpheusWorkers, 1) {
            workerTasks.append(Task { await self.workerLoop() })
        }
    }

    /// Stops the workers and releases every waiter.
    func stop() {
        stopped = true
        for worker in idleWorkers { worker.resume() }
        idleWorkers.removeAll()
        for task in workerTasks { task.cancel() }
        for (_, tokens) in waiters { for (_, waiter) in tokens { waiter.resume() } }
        waiters.removeAll()
    }

    // MARK: - Requests

    /// Handles a `/generate` request.
    func submit(_ parameters: GenerateParameters) -> Submission {
        purgeExpired()
        let key = parameters.cacheKey
        let folder = parameters.compositionID ?? "ephemeral"
        if let output = cache[key] {
            let occurrence = counters.next("hit:\(key)")
            let jobID = determinism.uuid("storpheus-cache-hit", key, String(occurrence))
            writeArtifacts(output, folder: folder, traceID: parameters.traceID)
            let result = output.result(
                for: parameters,
                cacheHit: true,
                midiPath: midiPath(jobID),
                latencySeconds: latencySeconds(Self.latency(for: key, determinism, configuration))
            )
            return .cached(jobID: jobID, result: result, output: output)
        }
        if let existing = inFlight[key], var job = jobs[existing], !job.status.isTerminal {
            job.artifactTargets.append((folder, parameters.traceID))
            jobs[existing] = job
            return .job(statusObject(job), jobID: existing)
        }
        let queued = queue.count
        if queued >= configuration.storpheusQueueSize { return .queueFull }
        let occurrence = counters.next("job:\(key)")
        let jobID = determinism.uuid("storpheus-job", key, String(occurrence))
        let job = Job(
            id: jobID,
            status: .queued,
            position: queued + 1,
            result: nil,
            error: nil,
            parameters: parameters,
            cacheKey: key,
            latencyMilliseconds: Self.latency(for: key, determinism, configuration),
            fails: faults.storpheusJobFails(key: key, occurrence: occurrence),
            finishedAt: nil,
            artifactTargets: [(folder, parameters.traceID)],
            output: nil
        )
        jobs[jobID] = job
        queue.append(jobID)
        inFlight[key] = jobID
        if !idleWorkers.isEmpty { idleWorkers.removeFirst().resume() }
        return .job(statusObject(job), jobID: jobID)
    }

    /// The job's status object, or nil when unknown or purged.
    func status(_ id: String) -> JSONValue? {
        purgeExpired()
        return jobs[id].map(statusObject)
    }

    /// Waits until the job ends or `timeout` passes, then returns its status (nil when unknown).
    func wait(_ id: String, timeout: Duration) async -> JSONValue? {
        purgeExpired()
        guard let job = jobs[id] else { return nil }
        if !job.status.isTerminal {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.suspendUntilTerminal(id) }
                group.addTask { try? await Task.sleep(for: timeout) }
                await group.next()
                group.cancelAll()
            }
        }
        return jobs[id].map(statusObject)
    }

    /// The job's final outcome, waiting as long as it takes (Maestro's polling loop, in process); the job as it
    /// stands when the waiting task is cancelled.
    func outcome(_ id: String) async -> Job? {
        while let job = jobs[id], !job.status.isTerminal, !stopped, !Task.isCancelled {
            await suspendUntilTerminal(id)
        }
        return jobs[id]
    }

    /// Cancels a queued or running job; a finished job is returned unchanged.
    func cancel(_ id: String) -> JSONValue? {
        purgeExpired()
        guard var job = jobs[id] else { return nil }
        if !job.status.isTerminal {
            job.status = .canceled
            job.finishedAt = clock.now
            jobs[id] = job
            queue.removeAll { $0 == id }
            if inFlight[job.cacheKey] == id { inFlight[job.cacheKey] = nil }
            resumeWaiters(id)
        }
        return statusObject(job)
    }

    /// `/queue/status`.
    func queueStatus() -> JSONValue {
        purgeExpired()
        return [
            "depth": .int(queue.count), "running": .int(running),
            "max_concurrent": .int(max(configuration.storpheusWorkers, 1)),
            "max_queue": .int(configuration.storpheusQueueSize), "total_tracked": .int(jobs.count),
        ]
    }

    /// The sorted file names under a composition, or nil when the composition has none.
    func artifactNames(_ composition: String) -> [String]? {
        artifacts[composition].map { $0.keys.sorted() }
    }

    /// One artifact's bytes.
    func artifact(_ composition: String, _ file: String) -> [UInt8]? {
        artifacts[composition]?[file]
    }

    // MARK: - Workers

    private func workerLoop() async {
        while !stopped {
            guard !queue.isEmpty else {
                await withCheckedContinuation { idleWorkers.append($0) }
                continue
            }
            let id = queue.removeFirst()
            guard var job = jobs[id], job.status == .queued else { continue }
            job.status = .running
            job.position = nil
            jobs[id] = job
            running += 1
            try? await Task.sleep(for: .milliseconds(job.latencyMilliseconds))
            running -= 1
            finish(id)
            if configuration.storpheusCooldown > .zero && !stopped {
                try? await Task.sleep(for: configuration.storpheusCooldown)
            }
        }
    }

    private func finish(_ id: String) {
        guard var job = jobs[id] else { return }
        if inFlight[job.cacheKey] == id { inFlight[job.cacheKey] = nil }
        guard job.status == .running else { return }  // canceled meanwhile: the result is thrown away
        if job.fails {
            job.status = .failed
            job.error = "Worker crashed: simulated generation failure (fault storpheus-fail)"
            job.result = GenerationOutput.failureResult(job.error!)
        } else {
            let output = GenerationOutput.generate(job.parameters, determinism: determinism)
            cache[job.cacheKey] = output
            for (folder, traceID) in job.artifactTargets { writeArtifacts(output, folder: folder, traceID: traceID) }
            job.status = .complete
            job.output = output
            job.result = output.result(
                for: job.parameters,
                cacheHit: false,
                midiPath: midiPath(id),
                latencySeconds: latencySeconds(job.latencyMilliseconds)
            )
        }
        job.finishedAt = clock.now
        jobs[id] = job
        resumeWaiters(id)
    }

    // MARK: - Waiting

    private func suspendUntilTerminal(_ id: String) async {
        let token = nextWaiterToken
        nextWaiterToken += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled || stopped || jobs[id].map({ $0.status.isTerminal }) ?? true {
                    continuation.resume()
                } else {
                    waiters[id, default: [:]][token] = continuation
                }
            }
        } onCancel: {
            Task { await self.releaseWaiter(id, token) }
        }
    }

    private func releaseWaiter(_ id: String, _ token: Int) {
        waiters[id]?.removeValue(forKey: token)?.resume()
    }

    private func resumeWaiters(_ id: String) {
        for (_, waiter) in waiters.removeValue(forKey: id) ?? [:] { waiter.resume() }
    }

    // MARK: - Helpers

    private func statusObject(_ job: Job) -> JSONValue {
        var object: JSONObject = ["jobId": .string(job.id), "status": .string(job.status.rawValue)]
        if job.status == .queued { object["position"] = .optional(job.position) }
        if job.status == .complete || job.status == .failed { object["result"] = job.result }
        object["error"] = .optional(job.error)
        let ended = job.status == .complete || job.status == .failed
        object["elapsed"] = .double(ended ? latencySeconds(job.latencyMilliseconds) : 0.0)
        return .object(object)
    }

    private func latencySeconds(_ milliseconds: Int) -> Double {
        (Double(milliseconds) / 100).rounded() / 10
    }

    private func midiPath(_ jobID: String) -> String {
        "/tmp/gradio/\(jobID.prefix(8))/out.mid"
    }

    private func writeArtifacts(_ output: GenerationOutput, folder: String, traceID: String?) {
        var files = artifacts[folder, default: [:]]
        let batch = files.keys.filter { $0.hasSuffix(".mid") }.count
        let stem = "b\(batch)_\(traceID.map { String($0.prefix(8)) } ?? "notrace")"
        files[stem + ".mid"] = output.midiFile(title: stem)
        artifacts[folder] = files
    }

    private func purgeExpired() {
        let now = clock.now
        jobs = jobs.filter { _, job in
            guard let finished = job.finishedAt, job.status == .complete || job.status == .failed else { return true }
            return finished.duration(to: now) < configuration.jobRetention
        }
    }

    /// The simulated generation time for a cache key, drawn from the configured range by hashing.
    static func latency(for key: String, _ determinism: Determinism, _ configuration: StackConfiguration) -> Int {
        let range = configuration.generationLatencyMilliseconds
        let span = range.upperBound - range.lowerBound
        return range.lowerBound + Int(determinism.unit("latency", key) * Double(span + 1))
    }
}
