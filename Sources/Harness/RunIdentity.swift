import Foundation
import Hashing

/// The names of one run that derive from the seed and the run id alone (scenarios.md): the same seed and run id give
/// the same conversation id, variation ids, trace and span ids on every machine.
public struct RunIdentity: Sendable, Equatable {
    /// The run id, e.g. `r_000042`.
    public let runID: String
    /// The batch seed.
    public let seed: UInt64
    /// The run's index within the batch (1 for `r_000001`).
    public let index: Int

    /// The identity of the run with `index` under `seed`.
    public init(index: Int, seed: UInt64) {
        self.index = index
        self.seed = seed
        self.runID = Self.runID(index: index)
    }

    /// `r_` and the index in six digits.
    public static func runID(index: Int) -> String {
        let digits = String(index)
        return "r_" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    private var namespace: UUID {
        UUID(namespace: .namespaceURL, name: "tdf:seed:\(seed)")
    }

    /// A lowercase UUID for `purpose` (e.g. `conversation`, `variation/C1`).
    public func uuid(_ purpose: String) -> String {
        UUID(namespace: namespace, name: "\(runID)/\(purpose)").lowercasedString
    }

    /// A short hex token for `purpose`.
    func token(_ purpose: String, length: Int = 16) -> String {
        String(SHA256.hash("tdf:\(seed):\(runID):\(purpose)").hex.prefix(length))
    }

    /// The conversation id of the run, used for compose streams and as the MUSE working tree key.
    public var conversationID: String { uuid("conversation") }

    /// The run's trace id in the event envelope.
    public var traceID: String { "t_" + token("trace") }

    /// The span id of the run's `number`-th span.
    func spanID(_ number: Int) -> String { "s_" + token("span/\(number)") }

    /// The MUSE variation id of the commit named `name` (e.g. `C1`, `B3`, `X1`).
    public func variationID(_ name: String) -> String { uuid("variation/\(name)") }
}
