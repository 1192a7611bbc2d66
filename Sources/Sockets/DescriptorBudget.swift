import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// How the process shares its file descriptors, so that it never runs out of them.
///
/// Running out is not an error tdf could answer: Dispatch opens `/proc/self/task/…/stat` when it sizes its thread
/// pool and traps when that fails, so a process at its descriptor limit dies with SIGILL. The budget therefore
/// keeps a reserve that sockets and cassettes never touch, and splits the rest:
///
/// - ``Shares/reserved``: `max(64, limit / 16)` descriptors for the runtime (Dispatch, the reactor, standard streams) and
///   for short-lived files (an index written, a cassette read back).
/// - ``Shares/openCassettes``: `limit / 8`, between 8 and 256, for cassettes being written.
/// - ``Shares/sockets``: the rest, for sockets. A server admits a connection only while at most
///   ``Shares/admission`` sockets are open (the next one is answered 503 and closed), which leaves a quarter of the
///   socket share for the connections a proxy opens upstream; a connect beyond the socket share fails at once.
///
/// With the usual soft limit of 1,024: 64 reserved, 128 cassettes, 832 sockets, 624 admitted client connections.
public enum DescriptorBudget {
    /// The soft limit before and after ``raiseSoftLimitToHardLimit()``.
    public struct Raise: Sendable, Equatable, CustomStringConvertible {
        /// The soft limit the process started with.
        public let before: Int
        /// The soft limit now (the hard limit, unless raising it failed).
        public let after: Int

        /// `descriptors: soft limit raised from 1024 to 524288 (…)`, or that it already was at the hard limit.
        public var description: String {
            let shares = Shares(limit: after)
            let split =
                "\(shares.admission) client connections, \(shares.sockets) sockets, "
                + "\(shares.openCassettes) open cassettes, \(shares.reserved) reserved"
            if after > before { return "descriptors: soft limit raised from \(before) to \(after) (\(split))" }
            return "descriptors: limit \(after), the hard limit (\(split))"
        }
    }

    private static let cachedLimit = Atomic<Int>(currentSoftLimit())
    private static let openSockets = Atomic<Int>(0)

    /// The soft limit when the budget was first consulted, before any raise.
    private static let startingLimit = cachedLimit.load(ordering: .relaxed)

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit, so the budget is as large as the system allows; calling
    /// it again changes nothing and reports the same raise. `getrlimit`, `setrlimit`
    @discardableResult
    public static func raiseSoftLimitToHardLimit() -> Raise {
        let before = startingLimit
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else {
            return Raise(before: before, after: cachedLimit.load(ordering: .relaxed))
        }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) != 0 {
                // A hard limit of "unlimited" is refused beyond the kernel's nr_open; settle for that.
                raised.rlim_cur = rlim_t(systemMaximumOpenFiles())
                _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
            }
        }
        cachedLimit.store(currentSoftLimit(), ordering: .relaxed)
        return raised
    }

    /// The starting soft limit and the one in force now.
    public static var raised: Raise { Raise(before: startingLimit, after: limit) }

    /// The soft descriptor limit the budget is made from.
    public static var limit: Int { cachedLimit.load(ordering: .relaxed) }

    /// How a descriptor limit is shared out (the numbers in the type's comment).
    public struct Shares: Sendable, Equatable {
        /// The descriptor limit shared out.
        public let limit: Int
        /// Descriptors kept free of sockets and cassettes.
        public var reserved: Int { max(64, limit / 16) }
        /// How many cassettes a recording session keeps open at once.
        public var openCassettes: Int { min(256, max(8, limit / 8)) }
        /// How many sockets may be open at once; a connect beyond it fails with `EMFILE`.
        public var sockets: Int { max(16, limit - reserved - openCassettes) }
        /// How many sockets may be open for a server to admit one more client connection.
        public var admission: Int { max(8, sockets - sockets / 4) }

        /// The shares of `limit`.
        public init(limit: Int) { self.limit = limit }
    }

    /// The shares of the limit in force.
    public static var shares: Shares { Shares(limit: limit) }

    /// How many cassettes a recording session keeps open at once.
    public static var openCassetteLimit: Int { shares.openCassettes }

    /// How many sockets are open right now.
    public static var openSocketCount: Int { openSockets.load(ordering: .relaxed) }

    /// Whether a server may keep a connection it just accepted (the socket is already counted).
    public static var admitsConnection: Bool { openSocketCount <= shares.admission }

    static func socketOpened() {
        openSockets.add(1, ordering: .relaxed)
    }

    static func socketClosed() {
        openSockets.subtract(1, ordering: .relaxed)
    }

    /// Whether a new outgoing socket fits the budget.
    static var admitsOutgoingSocket: Bool { openSocketCount < shares.sockets }

    private static func currentSoftLimit() -> Int {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return 1024 }
        return clamped(limits.rlim_cur)
    }

    private static func clamped(_ value: rlim_t) -> Int {
        value >= rlim_t(Int32.max) ? Int(Int32.max) : Int(value)
    }

    /// The kernel's per-process ceiling (`/proc/sys/fs/nr_open`), or 1,048,576 when it cannot be read.
    private static func systemMaximumOpenFiles() -> Int {
        let descriptor = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 1 << 20 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return 1 << 20 }
        let text = String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").first ?? ""
        return Int(text) ?? 1 << 20
    }
}
