import TourDeForce

/// The library's errors in `tdf`'s words. A library error names the configuration field that is wrong; the user
/// set that field with a flag, so the message names the flag (`--cassettes DIR`, `--shard I/N`). Cases a flag does
/// not set keep the library's description.
enum FlagMessages {
    /// A proxy configuration set by `tdf proxy`'s flags (or `--pace` of `tdf replay` and `tdf run --replay`).
    static func message(_ error: ProxyConfigurationError) -> String {
        switch error {
        case .unparsableService(let argument, .notNameListenUpstream):
            "--service '\(argument)' should be NAME=LISTEN[=UPSTREAM], e.g. maestro=127.0.0.1:0=http://127.0.0.1:10001, "
                + "or NAME=UPSTREAM with --forward"
        case .unparsableService(let argument, .name(let problem)): "--service '\(argument)': \(problem)"
        case .unparsableService(let argument, .listen(let listen)):
            "--service '\(argument)': LISTEN '\(listen)' should be HOST:PORT or PORT (0 picks a free port)"
        case .unparsableService(let argument, .upstream(let upstream)):
            "--service '\(argument)': UPSTREAM '\(upstream)' should be an http:// or https:// URL such as "
                + "http://127.0.0.1:10001"
        case .unparsablePace(let argument):
            "--pace takes fast, recorded or a factor greater than 0 (0.1 is ten times faster), not '\(argument)'"
        case .noService: "give at least one --service NAME=LISTEN[=UPSTREAM], or --forward [HOST:]PORT"
        case .noForwardListener(let service):
            "--service \(service)=UPSTREAM has no listener of its own; add --forward [HOST:]PORT to reach it, or give "
                + "it one: \(service)=PORT=UPSTREAM"
        case .missingUpstream(let mode, let service):
            "--mode \(mode) forwards requests, so --service \(service.name) needs an upstream: "
                + "\(service.name)=\(service.host):\(service.port)=http://HOST:PORT"
        case .openCassetteLimitBelowOne(let limit): "--max-open-cassettes must be at least 1, not \(limit)"
        case .cassetteIdleTimeoutNotPositive: "--cassette-idle must be more than 0 seconds"
        case .missingCassetteDirectory(let mode): "--mode \(mode) needs --cassettes DIR"
        case .maxAgeOutsideRecordMissing(let mode):
            "--max-age applies to --mode record-missing only (it re-records old recordings), not --mode \(mode)"
        case .duplicateService: error.description
        }
    }

    /// A `--rules FILE` document that cannot be used. The library's words name the document's own keys, which are
    /// what the user wrote in FILE, so only the flag and the file are added.
    static func message(_ error: MatchingRulesError, rulesFile file: String) -> String {
        "--rules \(file): \(error)"
    }

    /// A proxy that could not start.
    static func message(_ error: ProxyError) -> String {
        switch error {
        case .invalidConfiguration(let problem): message(problem)
        case .missingCassetteDirectory(let directory):
            "--cassettes \(directory) does not exist: there is nothing to replay"
        case .unrecordableCassetteDirectory(let directory, let problem):
            "cannot record into --cassettes \(directory): \(problem)"
        case .cannotListen: error.description
        case .cannotListenForward(let listener, let problem):
            "--forward \(listener.host):\(listener.port): cannot listen: \(problem)"
        }
    }

    /// A `--shard I/N` that cannot be used.
    static func message(_ error: ShardError) -> String {
        switch error {
        case .unparsable(let text):
            "--shard takes I/N, the shard I (counted from 1) of N shards, e.g. 2/4, not '\(text)'"
        case .countOutOfRange(let text, _): "--shard \(text): N must be from 1 to \(Shard.maximumCount)"
        case .indexOutOfRange(let text, _, let count):
            "--shard \(text): I counts from 1 and must be from 1 to \(count) "
                + "(a 0-based index such as JOB_COMPLETION_INDEX is passed as index+1)"
        case .noRuns(let shard, let batchRuns):
            "--shard \(shard) gets no run of --runs \(batchRuns); use at most \(batchRuns) shards"
        }
    }

    /// Trees `tdf merge` cannot merge, or an OUT it cannot write.
    static func message(_ error: ArtifactMergeError) -> String {
        switch error {
        case .notADirectory(let path): "\(path) is not a directory; give the --out directories of tdf run"
        case .differentShardSplits(let tree, let shard, let sampleTree, let sampleShard):
            "\(tree) \(shard.map { "is shard \($0)" } ?? "was not made with --shard") but \(sampleTree) "
                + "is shard \(sampleShard); merge the shards of one --shard I/N split"
        case .destinationNotEmpty(let path):
            "\(path) is not empty; give a new or empty directory, or --force to replace it"
        case .input, .output: error.description
        }
    }

    /// A `tdf merge` that did not happen.
    static func message(_ error: ShardMerge.Failure) -> String {
        switch error {
        case .artifacts(let problem): message(problem)
        case .cassettes: error.description
        }
    }

    /// An `--out` that cannot be used.
    static func message(_ problem: OutputDirectoryProblem) -> String {
        switch problem.reason {
        case .notADirectory: "--out \(problem.path) exists and is not a directory"
        case .unwritable(let explanation): "--out \(problem.path) cannot be written: \(explanation)"
        }
    }

    /// A `--fail-on` SPEC that cannot be parsed.
    static func message(_ error: FailPolicyError) -> String {
        switch error {
        case .emptyItem(let spec): "--fail-on has an empty item in '\(spec)'"
        case .unknownItem(let item):
            "--fail-on item '\(item)' is not a category; use one of " + FailPolicy.itemNames.joined(separator: ", ")
        case .invalidQualityDrop(let item):
            "--fail-on item '\(item)': quality-drop takes a number of points, e.g. quality-drop=5"
        case .invalidLatencyRise(let item, let category):
            "--fail-on item '\(item)': \(category.name) takes a rise like +50% or +100ms"
        case .invalidAllowance(let item, let category):
            "--fail-on item '\(item)': \(category.name)=N takes a whole number of allowed differences"
        case .invalidOutlier(let item):
            "--fail-on item '\(item)': latency-outlier takes a rise like +500ms or a factor like 3x"
        }
    }

    /// A `tdf run` batch that could not run.
    static func message(_ error: LiveBatch.Failure) -> String {
        switch error {
        case .unusableOutput(let problem): message(problem)
        case .unreachable(let problem):
            "\(problem) before any run; start the stack, fix the URL, or use --stack embedded"
        case .proxy(let problem): "cannot start the recording proxy: \(message(problem))"
        case .simulator, .artifacts: error.description
        }
    }

    /// A recording `tdf replay` or `tdf run --replay` could not replay.
    static func message(_ error: ReplayError) -> String {
        switch error {
        case .noCassettes(let root):
            "\(root) holds no cassettes/ directory: it was made with --no-record, so it cannot be replayed"
        case .unusableOutput(let problem): message(problem)
        case .proxy(let problem): "cannot start the recording proxy: \(message(problem))"
        case .notARecording, .noRuns, .invalidRecordedRunID, .unknownRun, .unreadableConfiguration, .artifacts:
            error.description
        }
    }
}
