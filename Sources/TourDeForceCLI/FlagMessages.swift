import TourDeForce

/// The library's errors in `tdf`'s words. A library error names the configuration field that is wrong; the user
/// set that field with a flag, so the message names the flag (`--cassettes DIR`, `--shard I/N`). Cases a flag does
/// not set keep the library's description.
enum FlagMessages {
    /// A proxy configuration set by `tdf proxy`'s flags (or `--pace` of `tdf replay` and `tdf run --replay`).
    static func message(_ error: ProxyConfigurationError) -> String {
        switch error {
        case .unparsableService(let argument, .notNameListenUpstream):
            "--service '\(argument)' should be NAME=LISTEN[=UPSTREAM], e.g. maestro=127.0.0.1:0=http://127.0.0.1:10001"
        case .unparsableService(let argument, .name(let problem)): "--service '\(argument)': \(problem)"
        case .unparsableService(let argument, .listen(let listen)):
            "--service '\(argument)': LISTEN '\(listen)' should be HOST:PORT or PORT (0 picks a free port)"
        case .unparsableService(let argument, .upstream(let upstream)):
            "--service '\(argument)': UPSTREAM '\(upstream)' should be an http:// URL such as http://127.0.0.1:10001"
        case .unparsablePace(let argument):
            "--pace takes fast, recorded or a factor greater than 0 (0.1 is ten times faster), not '\(argument)'"
        case .noService: "give at least one --service NAME=LISTEN[=UPSTREAM]"
        case .missingUpstream(let mode, let service):
            "--mode \(mode) forwards requests, so --service \(service.name) needs an upstream: "
                + "\(service.name)=\(service.host):\(service.port)=http://HOST:PORT"
        case .openCassetteLimitBelowOne(let limit): "--max-open-cassettes must be at least 1, not \(limit)"
        case .cassetteIdleTimeoutNotPositive: "--cassette-idle must be more than 0 seconds"
        case .missingCassetteDirectory(let mode): "--mode \(mode) needs --cassettes DIR"
        case .invalidServiceName, .duplicateService: error.description
        }
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
        }
    }

    /// A `tdf run` batch that could not run.
    static func message(_ error: LiveBatch.Failure) -> String {
        switch error {
        case .proxy(let problem): "cannot start the recording proxy: \(message(problem))"
        case .unusableOutput, .unreachable, .simulator, .artifacts: error.description
        }
    }

    /// A recording `tdf replay` or `tdf run --replay` could not replay.
    static func message(_ error: ReplayError) -> String {
        switch error {
        case .proxy(let problem): "cannot start the recording proxy: \(message(problem))"
        case .notARecording, .noCassettes, .noRuns, .invalidRecordedRunID, .unknownRun, .unusableOutput,
            .unreadableConfiguration, .artifacts:
            error.description
        }
    }
}
