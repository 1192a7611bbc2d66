import Foundation
import TourDeForce

/// What `tdf run` shows while a batch runs: runs done and failed, the runs in flight, retries so far, the waits in
/// progress with their reason, and an estimate of the time left. Fed the batch's events; rendered as one line.
struct BatchProgress {
    /// Runs in the batch.
    let total: Int
    private(set) var done = 0
    private(set) var failed = 0
    /// Runs started and not finished, in the order they started.
    private(set) var inFlight: [String] = []
    private(set) var retries = 0
    /// The wait of each run that waits: why, and until when.
    private var waits: [String: (reason: String, until: ContinuousClock.Instant)] = [:]

    init(total: Int) {
        self.total = total
    }

    /// Whether a run has started (before that there is nothing to show).
    var hasStarted: Bool { done > 0 || !inFlight.isEmpty }

    mutating func apply(_ event: BatchEvent, at now: ContinuousClock.Instant) {
        switch event {
        case .runStarted(let runID):
            inFlight.append(runID)
        case .waiting(let wait):
            retries += 1
            waits[wait.runID] = (wait.reason, now + wait.delay)
        case .runFinished(let progress):
            done = progress.done
            failed = progress.failed
            inFlight.removeAll { $0 == progress.finished.runID }
            waits[progress.finished.runID] = nil
        }
    }

    /// `runs 3/40 done, 1 failed, 2 in flight, 4 retries, 12.3 s, about 2m10s left; r_000005 waits 8 s: maestro
    /// answered 429: rate limit exceeded` (the wait that ends last, when any).
    func line(elapsed: Duration, now: ContinuousClock.Instant) -> String {
        var parts = ["runs \(done)/\(total) done", "\(failed) failed", "\(inFlight.count) in flight"]
        if retries > 0 { parts.append("\(retries) \(retries == 1 ? "retry" : "retries")") }
        let seconds = elapsed.secondsValue
        parts.append(String(format: "%.1f s", seconds))
        if done > 0, done < total {
            parts.append("about \(Self.clock(seconds / Double(done) * Double(total - done))) left")
        }
        var line = parts.joined(separator: ", ")
        let waiting = waits.filter { $0.value.until > now }
        if let (runID, wait) = waiting.max(by: { $0.value.until < $1.value.until }) {
            let left = (wait.until - now).secondsValue.rounded(.up)
            line += "; \(runID) waits \(Int(left)) s: \(wait.reason)"
            if waiting.count > 1 { line += " (\(waiting.count) runs waiting)" }
        }
        return line
    }

    /// `45s`, `2m10s`, `1h05m`.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + String(format: "%02ds", whole % 60) }
        return "\(whole / 3600)h" + String(format: "%02dm", whole % 3600 / 60)
    }
}
