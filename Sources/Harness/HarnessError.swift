/// The outcome of one run (scenarios.md).
public enum RunStatus: String, Sendable, CaseIterable, Equatable {
    /// Every step did what it should.
    case success
    /// The prompt catalogue could not be fetched or was empty.
    case promptError = "prompt_error"
    /// Maestro refused the stream, the stream failed, or it ended without success.
    case maestroError = "maestro_error"
    /// Storpheus failed (artifact listing, download, or generation reported by the stream).
    case storpheusError = "storpheus_error"
    /// The composed MIDI has no usable notes.
    case midiQualityFail = "midi_quality_fail"
    /// A MUSE request failed or MUSE did not behave as the scenario expects.
    case museError = "muse_error"
    /// A merge expected to be clean answered 409.
    case mergeConflict = "merge_conflict"
    /// The run exceeded `--global-timeout`, or a service stalled past its timeout.
    case timeout
    /// A service answered outside its contract (bad SSE sequence, missing fields).
    case contractViolation = "contract_violation"
    /// The batch was interrupted (SIGINT, SIGTERM) while the run was in flight.
    case interrupted
}

/// Why a step of a run failed: the run status it maps to and a message that keeps the service's own words.
public struct HarnessError: Error, Sendable, CustomStringConvertible {
    /// The class of failure, which decides the run status.
    public struct Kind: Sendable, Equatable {
        let name: String
        let status: RunStatus?
        /// The prompt service failed.
        public static let prompt = Kind(name: "prompt", status: .promptError)
        /// Maestro's stream failed.
        public static let maestro = Kind(name: "maestro", status: .maestroError)
        /// Storpheus failed.
        public static let storpheus = Kind(name: "storpheus", status: .storpheusError)
        /// MIDI quality is unacceptable.
        public static let midiQuality = Kind(name: "midi_quality", status: .midiQualityFail)
        /// MUSE failed.
        public static let muse = Kind(name: "muse", status: .museError)
        /// An unexpected merge conflict.
        public static let mergeConflict = Kind(name: "merge_conflict", status: .mergeConflict)
        /// A timeout.
        public static let timeout = Kind(name: "timeout", status: .timeout)
        /// A contract violation.
        public static let contract = Kind(name: "contract", status: .contractViolation)
        /// The batch was interrupted while the run was in flight.
        public static let interrupted = Kind(name: "interrupted", status: .interrupted)
        /// The artifact directory could not be written.
        public static let io = Kind(name: "io", status: nil)
    }

    /// The class of failure.
    public let kind: Kind
    /// One line: what failed and what the service said.
    public let message: String

    /// Makes an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The run status this failure gives (I/O failures count as the step's service, else `maestro_error`).
    var status: RunStatus { kind.status ?? .maestroError }

    /// The message.
    public var description: String { message }
}
