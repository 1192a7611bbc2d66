import Foundation
public import HTTPTransport
import JSON
import Vocabulary

/// Everything one `tdf run` batch is started with: the flags of the earlier harness's CLI with their defaults, plus
/// the knobs this harness adds. It never holds the access token, so it can be written to `config.json` as is.
public struct HarnessConfiguration: Sendable {
    /// A stack tdf starts itself instead of talking to running services.
    public enum StackKind: String, Sendable, CaseIterable {
        /// The built-in simulator, in-process on free loopback ports.
        case embedded
    }

    /// The earlier harness's default URLs: the compose-file host names on their usual ports; prompts come from the
    /// route the real server has (service-contracts.md §7.1), not the earlier harness's `/api/v1/prompts/random`.
    public static let defaultEndpoints = Endpoints(
        prompts: HTTPURL(host: "maestro", port: 10001, target: "/api/v1/maestro/prompts"),
        maestro: HTTPURL(host: "maestro", port: 10001, target: "/api/v1/maestro/stream"),
        storpheus: HTTPURL(host: "storpheus", port: 10002),
        muse: HTTPURL(host: "maestro", port: 10001, target: "/api/v1/muse")
    )

    /// The quality preset sent with compose requests (`--quality-preset`).
    public enum QualityPreset: String, Sendable, CaseIterable {
        /// Fastest generation.
        case fast
        /// The default.
        case balanced
        /// Best generation.
        case quality
    }

    /// The environment variable holding the JWT (`--jwt-env`).
    public var jwtEnvironmentVariable: String
    /// The services' URLs: the prompt catalogue, the compose stream, Storpheus' and MUSE's bases.
    public var endpoints: Endpoints
    /// How many runs (`--runs`).
    public var runs: Int
    /// The seed every id and choice derives from (`--seed`).
    public var seed: UInt64
    /// How many runs execute at once (`--concurrency`).
    public var concurrency: Int
    /// The artifact directory (`--out`).
    public var outputDirectory: String
    /// The quality preset (`--quality-preset`).
    public var qualityPreset: QualityPreset
    /// The longest one read of the compose stream may wait (`--maestro-timeout`); heartbeats keep it alive.
    public var maestroTimeout: Duration
    /// The longest a Storpheus request or job may take (`--storpheus-timeout`).
    public var storpheusTimeout: Duration
    /// The longest one run may take, all steps included (`--global-timeout`).
    public var globalTimeout: Duration
    /// Verbose logging (`-v`).
    public var verbose: Bool
    /// Whether traffic is recorded through the in-process proxy (`--record`, the default, or `--no-record`).
    public var record: Bool
    /// Which stack the batch runs against when tdf starts it itself; nil for services it is pointed at.
    public var stack: StackKind?
    /// The longest a prompt fetch may take.
    public var promptTimeout: Duration
    /// The longest a MUSE request may take.
    public var museTimeout: Duration
    /// The longest connecting may take.
    public var connectTimeout: Duration
    /// Compose streams open at once across all runs.
    public var maestroConcurrency: Int
    /// Storpheus requests in flight at once across all runs.
    public var storpheusConcurrency: Int
    /// How 429 and 503 answers are retried.
    public var retry: RetryPolicy
    /// The MUSE project id prefix; each run uses `<prefix>-<run id>`, so runs never share a HEAD.
    public var museProjectPrefix: String
    /// The earliest index of the batch (1 for `r_000001`); shards of a batch start elsewhere.
    public var firstRunIndex: Int
    /// The shard of a larger batch these runs are (`--shard`), with that batch's run count; nil when unsharded.
    public private(set) var shard: (shard: Shard, batchRuns: Int)?

    /// A configuration with the earlier harness's defaults.
    public init(
        jwtEnvironmentVariable: String = "STORI_JWT",
        endpoints: Endpoints = Self.defaultEndpoints,
        runs: Int = 10,
        seed: UInt64 = 1337,
        concurrency: Int = 4,
        outputDirectory: String,
        qualityPreset: QualityPreset = .balanced,
        maestroTimeout: Duration = .seconds(180),
        storpheusTimeout: Duration = .seconds(180),
        globalTimeout: Duration = .seconds(300),
        verbose: Bool = false,
        record: Bool = true,
        stack: StackKind? = nil,
        promptTimeout: Duration = .seconds(10),
        museTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10),
        maestroConcurrency: Int = 4,
        storpheusConcurrency: Int = 2,
        retry: RetryPolicy = RetryPolicy(),
        museProjectPrefix: String = "tourdeforce",
        firstRunIndex: Int = 1
    ) {
        self.jwtEnvironmentVariable = jwtEnvironmentVariable
        self.endpoints = endpoints
        self.runs = runs
        self.seed = seed
        self.concurrency = concurrency
        self.outputDirectory = outputDirectory
        self.qualityPreset = qualityPreset
        self.maestroTimeout = maestroTimeout
        self.storpheusTimeout = storpheusTimeout
        self.globalTimeout = globalTimeout
        self.verbose = verbose
        self.record = record
        self.stack = stack
        self.promptTimeout = promptTimeout
        self.museTimeout = museTimeout
        self.connectTimeout = connectTimeout
        self.maestroConcurrency = maestroConcurrency
        self.storpheusConcurrency = storpheusConcurrency
        self.retry = retry
        self.museProjectPrefix = museProjectPrefix
        self.firstRunIndex = firstRunIndex
    }

    /// Narrows the batch of `runs` runs to the block of `shard` (``Shard/runIndexes(ofBatch:firstRunIndex:)``);
    /// fails when the batch has fewer runs than shards and this one gets none.
    public mutating func narrow(to shard: Shard) throws(ShardError) {
        let indexes = shard.runIndexes(ofBatch: runs, firstRunIndex: firstRunIndex)
        guard !indexes.isEmpty else { throw .noRuns(shard: shard, batchRuns: runs) }
        self.shard = (shard, runs)
        firstRunIndex = indexes.lowerBound
        runs = indexes.count
    }

    /// The run ids of the batch in order: `r_000001`, `r_000002`, ...
    public var runIDs: [String] {
        (0..<max(0, runs)).map { RunIdentity.runID(index: firstRunIndex + $0) }
    }

    /// The configuration as written to `config.json` (no secret: only the name of the JWT variable).
    var json: JSONValue {
        var object: JSONObject = [
            "jwt_env": .string(jwtEnvironmentVariable),
            "prompt_endpoint": .string(endpoints.prompts.configurationText),
            "maestro": .string(endpoints.maestro.configurationText),
            "storpheus": .string(endpoints.storpheus.configurationText),
            "muse_url": .string(endpoints.muse.configurationText),
            "runs": .int(runs),
            "seed": .string(String(seed)),
            "concurrency": .int(concurrency),
            "out": .string(outputDirectory),
            "quality_preset": .string(qualityPreset.rawValue),
            "maestro_timeout_s": .double(maestroTimeout.secondsValue),
            "storpheus_timeout_s": .double(storpheusTimeout.secondsValue),
            "global_timeout_s": .double(globalTimeout.secondsValue),
            "verbose": .bool(verbose),
            "record": .bool(record),
            "stack": stack.map { .string($0.rawValue) } ?? .null,
            "prompt_timeout_s": .double(promptTimeout.secondsValue),
            "muse_timeout_s": .double(museTimeout.secondsValue),
            "connect_timeout_s": .double(connectTimeout.secondsValue),
            "maestro_concurrency": .int(maestroConcurrency),
            "storpheus_concurrency": .int(storpheusConcurrency),
            "retry": [
                "max_attempts": .int(retry.maxAttempts),
                "base_delay_s": .double(retry.baseDelay.secondsValue),
                "max_delay_s": .double(retry.maxDelay.secondsValue),
            ],
            "muse_project_prefix": .string(museProjectPrefix),
            "first_run_index": .int(firstRunIndex),
        ]
        if let shard {
            object["shard"] = .string(shard.shard.description)
            object["batch_runs"] = .int(shard.batchRuns)
        }
        return .object(object)
    }
}

/// How answers that mean "try again later" (429, 503, and the 200 concurrency-limit stream) are retried: at most
/// `maxAttempts` tries, waiting `Retry-After` when the service names it, else `baseDelay` doubled per retry, never
/// more than `maxDelay`.
public struct RetryPolicy: Sendable {
    /// Tries in total, the first included.
    public var maxAttempts: Int
    /// The first wait when the service names none.
    public var baseDelay: Duration
    /// The longest single wait.
    public var maxDelay: Duration
    /// The share of each wait actually slept: 1 against live services; replay sets it from its pace (0 for
    /// `fast`), because a recorded answer needs no time to recover. Logged and recorded delays stay the computed
    /// ones, so a replayed run's events still match the recording's.
    public var waitScale: Double = 1

    /// A policy (defaults: 8 tries, 1 s doubling, at most 30 s per wait: about 90 s in all, enough to outlast
    /// Maestro's one-minute rate-limit window, which answers 429 without `Retry-After`).
    public init(maxAttempts: Int = 8, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `retry` (1 for the first retry), given the `Retry-After` header if any.
    func delay(retry: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            // Compared before converting: `inf` or 1e300 seconds from a server would trap in `Int64(_:)`.
            let cap = maxDelay.secondsValue
            return seconds >= cap ? maxDelay : .milliseconds(Int64(seconds * 1000))
        }
        let doubled = baseDelay * (1 << min(retry - 1, 20))
        return min(doubled, maxDelay)
    }

    /// Sleeps `delay` scaled by `waitScale`.
    func wait(_ delay: Duration) async throws {
        guard waitScale > 0 else { return }
        try await Task.sleep(for: delay * waitScale)
    }
}
