import Foundation
import Synchronization
import Vocabulary

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Where a command writes text: the process's stdout/stderr, or a buffer in tests.
public protocol OutputSink: Sendable {
    /// Writes text as is (no newline added).
    func write(_ text: String)
    /// True when the sink is an interactive terminal (progress lines and colour are only for terminals).
    var isTerminal: Bool { get }
}

/// Writes to a file descriptor of the process (1 or 2).
public struct FileDescriptorSink: OutputSink {
    let descriptor: Int32

    /// The process's standard output.
    public static let standardOutput = FileDescriptorSink(descriptor: 1)
    /// The process's standard error.
    public static let standardError = FileDescriptorSink(descriptor: 2)

    /// Writes all of the text, retrying partial writes; a closed pipe or a full disk loses the rest silently, as
    /// there is nowhere left to report it.
    public func write(_ text: String) {
        try? FileSystemCalls.live.writeAll(Array(text.utf8), to: descriptor)
    }

    /// True when the descriptor is a terminal.
    public var isTerminal: Bool { isatty(descriptor) == 1 }
}

/// Collects everything written, for tests that run commands in-process.
public final class CapturedOutput: OutputSink {
    private let buffer = Mutex("")

    /// Makes an empty buffer.
    public init() {}

    /// Appends the text.
    public func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    /// Captured output is never a terminal.
    public var isTerminal: Bool { false }

    /// Everything written so far.
    public var text: String { buffer.withLock { $0 } }
}

/// What a command may use from its process: output sinks, the environment and the working directory.
public struct CommandContext: Sendable {
    /// Results go here.
    public var standardOutput: any OutputSink
    /// Errors, progress and logs go here.
    public var standardError: any OutputSink
    /// The environment variables.
    public var environment: [String: String]
    /// The working directory.
    public var currentDirectory: String

    /// Makes a context.
    public init(
        standardOutput: any OutputSink,
        standardError: any OutputSink,
        environment: [String: String],
        currentDirectory: String
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    /// The context of the running process.
    public static func process() -> CommandContext {
        CommandContext(
            standardOutput: FileDescriptorSink.standardOutput,
            standardError: FileDescriptorSink.standardError,
            environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath
        )
    }

    /// `path` as an absolute path: relative paths are taken from the working directory.
    public func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory + "/" + path
    }

    /// Prints a line of results.
    public func print(_ line: String) {
        standardOutput.write(line + "\n")
    }

    /// Prints a line to standard error.
    public func printError(_ line: String) {
        standardError.write(line + "\n")
    }

    /// True when progress may be redrawn in place on standard error with terminal control sequences: it is a
    /// terminal, `NO_COLOR` is unset or empty, and `TERM` is not `dumb`. Otherwise progress is plain lines.
    public var redrawsProgress: Bool {
        standardError.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }
}
