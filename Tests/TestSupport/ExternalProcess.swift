import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a peer program (curl, python3) without blocking the cooperative pool: completion arrives through the
/// process's termination handler, output through readability handlers that timestamp every chunk.
public final class ExternalProcess: Sendable {
    /// A piece of standard output and when it arrived.
    public struct Chunk: Sendable {
        /// When the piece was read.
        public let at: ContinuousClock.Instant
        /// The bytes.
        public let bytes: [UInt8]
    }

    /// What a finished process left behind.
    public struct Output: Sendable {
        /// The exit status.
        public let status: Int32
        /// Standard output, as bytes.
        public let stdout: [UInt8]
        /// Standard error, as text.
        public let stderr: String
        /// Standard output, as text.
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    private let process: Process
    private let pipes: (stdout: Pipe, stderr: Pipe)
    private let output = Mutex<[Chunk]>([])
    private let errors = Mutex<[UInt8]>([])
    private let exit = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    /// Finds a program on the PATH, or nil (the test then says it skips).
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Starts `executable` with `arguments`, stdin from the file `standardInput` (or empty).
    public init(_ executable: String, _ arguments: [String], standardInput: String? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        pipes = (stdout, stderr)
        process.standardOutput = stdout
        process.standardError = stderr
        if let standardInput {
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: standardInput))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        stdout.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if !data.isEmpty { self?.output.withLock { $0.append(Chunk(at: .now, bytes: Array(data))) } }
        }
        stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if !data.isEmpty { self?.errors.withLock { $0.append(contentsOf: data) } }
        }
        process.terminationHandler = { [weak self] process in
            guard let self else { return }
            let waiters = self.exit.withLock { state -> [CheckedContinuation<Int32, Never>] in
                state.status = process.terminationStatus
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume(returning: process.terminationStatus) }
        }
        try process.run()
    }

    /// Waits for the process to exit and returns its status.
    public func waitForExit() async -> Int32 {
        let status = await withCheckedContinuation { continuation in
            let known = exit.withLock { state -> Int32? in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let known { continuation.resume(returning: known) }
        }
        // The process has exited, so its pipes hold at most what it wrote last, followed by end-of-file:
        // collect that now instead of racing the readability handlers.
        await drain()
        return status
    }

    private func drain() async {
        pipes.stdout.fileHandleForReading.readabilityHandler = nil
        pipes.stderr.fileHandleForReading.readabilityHandler = nil
        let rest = await readToEnd([pipes.stdout.fileHandleForReading, pipes.stderr.fileHandleForReading])
        let (restOut, restErr) = (rest[0], rest[1])
        if !restOut.isEmpty { output.withLock { $0.append(Chunk(at: .now, bytes: Array(restOut))) } }
        if !restErr.isEmpty { errors.withLock { $0.append(contentsOf: restErr) } }
    }

    /// Stops the process with SIGKILL: a child of the test process inherits its blocked signal mask, in which
    /// SIGTERM stays pending forever (peers stopped with `Process.terminate()` outlived the tests).
    public func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Everything written to stdout so far, with arrival times.
    public var chunks: [Chunk] { output.withLock { $0 } }
    /// Everything written to stdout so far.
    public var standardOutput: String { String(decoding: chunks.flatMap(\.bytes), as: UTF8.self) }
    /// Everything written to stderr so far.
    public var standardError: String { String(decoding: errors.withLock { $0 }, as: UTF8.self) }

    /// Runs a program to completion (stdin from `standardInput`, or empty) and returns what it left behind.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        standardInput: String? = nil
    ) async throws
        -> Output
    {
        let process = try ExternalProcess(executable, arguments, standardInput: standardInput)
        let status = await process.waitForExit()
        return Output(status: status, stdout: process.chunks.flatMap(\.bytes), stderr: process.standardError)
    }
}
