import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The built `tdf` executable, for tests that run it as a separate process (crash safety, signals, the CLI).
///
/// Found through `TDF_EXECUTABLE`, else as `.build/debug/tdf` or `.build/release/tdf` of the package this file
/// belongs to (located through `#filePath`).
enum TDFExecutable {
    static func path(filePath: String = #filePath) -> String? {
        if let given = ProcessInfo.processInfo.environment["TDF_EXECUTABLE"], !given.isEmpty { return given }
        var root = URL(fileURLWithPath: filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        for candidate in [".build/debug/tdf", ".build/release/tdf"] {
            let path = root.appendingPathComponent(candidate).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// A child process whose output is collected as it comes, which can be waited for without blocking the cooperative
/// pool and sent any signal (`kill -9` included).
final class ChildProcess: Sendable {
    private let process: Process
    private let pipes: (stdout: Pipe, stderr: Pipe)
    private let output = Mutex<(stdout: [UInt8], stderr: [UInt8])>(([], []))
    private let exit = Mutex<
        (status: Int32?, reason: Process.TerminationReason?, waiters: [CheckedContinuation<Int32, Never>])
    >(
        (nil, nil, [])
    )

    init(_ executable: String, _ arguments: [String], currentDirectory: String? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        pipes = (Pipe(), Pipe())
        process.standardOutput = pipes.stdout
        process.standardError = pipes.stderr
        process.standardInput = FileHandle.nullDevice
        pipes.stdout.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if !data.isEmpty { self?.output.withLock { $0.stdout.append(contentsOf: data) } }
        }
        pipes.stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if !data.isEmpty { self?.output.withLock { $0.stderr.append(contentsOf: data) } }
        }
        process.terminationHandler = { [weak self] process in
            guard let self else { return }
            let waiters = self.exit.withLock { state -> [CheckedContinuation<Int32, Never>] in
                state.status = process.terminationStatus
                state.reason = process.terminationReason
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume(returning: process.terminationStatus) }
        }
        try process.run()
    }

    /// The process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Standard output so far.
    var standardOutput: String { String(decoding: output.withLock { $0.stdout }, as: UTF8.self) }
    /// Standard error so far.
    var standardError: String { String(decoding: output.withLock { $0.stderr }, as: UTF8.self) }
    /// Whether the process ended through a signal.
    var wasKilledBySignal: Bool { exit.withLock { $0.reason } == .uncaughtSignal }

    /// Sends a signal. `kill`
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// The first stdout line starting with `prefix`, waiting up to `timeout`; nil if it never came or the process
    /// ended.
    func line(startingWith prefix: String, timeout: Duration = .seconds(20)) async -> String? {
        let giveUp = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < giveUp {
            if let line = standardOutput.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line)
            }
            if exit.withLock({ $0.status }) != nil { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits until standard error holds `text` (a progress line such as `[3/200]`), at most `timeout`; returns
    /// whether it came.
    @discardableResult
    func waitForStandardError(containing text: String, timeout: Duration) async -> Bool {
        let giveUp = ContinuousClock.now.advanced(by: timeout)
        while !standardError.contains(text) {
            guard ContinuousClock.now < giveUp, (try? await Task.sleep(for: .milliseconds(20))) != nil else {
                return false
            }
        }
        return true
    }

    /// Waits for the process to end and returns its exit status (or the signal number).
    func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
        let finished = Task {
            await withCheckedContinuation { continuation in
                let known = exit.withLock { state -> Int32? in
                    if state.status == nil { state.waiters.append(continuation) }
                    return state.status
                }
                if let known { continuation.resume(returning: known) }
            }
        }
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            self.send(SIGKILL)
        }
        let status = await finished.value
        watchdog.cancel()
        pipes.stdout.fileHandleForReading.readabilityHandler = nil
        pipes.stderr.fileHandleForReading.readabilityHandler = nil
        let rest = await readToEnd([pipes.stdout.fileHandleForReading, pipes.stderr.fileHandleForReading])
        let (restOut, restErr) = (rest[0], rest[1])
        output.withLock {
            $0.stdout.append(contentsOf: restOut)
            $0.stderr.append(contentsOf: restErr)
        }
        return status
    }

    /// Runs the executable to completion and returns its status and output.
    static func run(
        _ executable: String,
        _ arguments: [String],
        currentDirectory: String? = nil
    ) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let child = try ChildProcess(executable, arguments, currentDirectory: currentDirectory)
        let status = await child.waitForExit() ?? -1
        return (status, child.standardOutput, child.standardError)
    }
}
