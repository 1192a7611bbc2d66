import Synchronization

#if canImport(Glibc)
    import CLinux
    @preconcurrency import Glibc
#endif

/// A connected, non-blocking TCP socket driven by the readiness loop.
///
/// The socket owns its descriptor and closes it in `deinit` if nobody did. One task may read while another
/// writes; two concurrent readers (or writers) are a programming error.
public final class Socket: Sendable {
    /// The descriptor's life: system calls lease it, and `close` releases it only when no call is in flight, so
    /// a concurrent close can never make a call hit a closed (or already reused) descriptor number.
    private struct DescriptorState {
        var descriptor: Int32
        var isClosed = false
        var leases = 0
    }

    private let state: Mutex<DescriptorState>
    private let token: UInt64
    /// Kept per socket rather than global, so the failures a test injects reach only the sockets it made.
    let systemCalls: SocketSystemCalls
    /// The peer's address, when known.
    public let peer: SocketAddress?
    /// Named once per connection rather than formatted again on every wait of a busy keep-alive connection.
    private let readOperation: String
    private let writeOperation: String

    /// Takes over a connected, non-blocking descriptor: it is closed when this socket closes, or at once if the
    /// reactor cannot watch it.
    init(adopting descriptor: Int32, peer: SocketAddress?, systemCalls: SocketSystemCalls) throws(SocketError) {
        var enable: Int32 = 1
        // Small SSE frames must leave at once; Nagle would hold them for the previous frame's ACK.
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
        do {
            token = try IOReactor.shared.register(descriptor)
        } catch {
            _ = systemCalls.close(descriptor)
            throw error
        }
        DescriptorBudget.socketOpened()
        self.state = Mutex(DescriptorState(descriptor: descriptor))
        self.systemCalls = systemCalls
        self.peer = peer
        let peerName = peer?.description ?? "peer"
        self.readOperation = "read from \(peerName)"
        self.writeOperation = "write to \(peerName)"
    }

    deinit {
        close()
    }

    /// Runs `body` with the descriptor, which stays open until `body` returns; nil once the socket is closed.
    func withDescriptor<R>(_ body: (Int32) throws -> R) rethrows -> R? {
        guard
            let fd = state.withLock({ state -> Int32? in
                guard !state.isClosed else { return nil }
                state.leases += 1
                return state.descriptor
            })
        else { return nil }
        defer { releaseLease() }
        return try body(fd)
    }

    private func releaseLease() {
        let closeNow = state.withLock { state -> Int32? in
            state.leases -= 1
            return state.isClosed && state.leases == 0 ? state.descriptor : nil
        }
        if let closeNow { closeDescriptor(closeNow) }
    }

    private func wait(_ direction: IOReactor.Direction, deadline: UInt64?, operation: String) async throws {
        guard let fd = state.withLock({ $0.isClosed ? nil : $0.descriptor }) else {
            throw SocketError.closed(operation)
        }
        try await IOReactor.shared.wait(for: direction, on: fd, token: token, deadline: deadline, operation: operation)
    }

    /// Opens a TCP connection, failing after `timeout`. `whileConnecting` gets each socket tried before its
    /// connection is established, so that another task may close it to give up at once.
    public static func connect(
        host: String,
        port: Int,
        timeout: Duration,
        whileConnecting: (Socket) -> Void = { _ in }
    ) async throws -> Socket {
        try await connect(
            host: host,
            port: port,
            timeout: timeout,
            systemCalls: .live,
            whileConnecting: whileConnecting
        )
    }

    /// Opens a TCP connection whose socket makes its calls through `systemCalls` (tests inject failures through it).
    static func connect(
        host: String,
        port: Int,
        timeout: Duration,
        systemCalls: SocketSystemCalls,
        whileConnecting: (Socket) -> Void
    ) async throws -> Socket {
        let operation = "connect to \(host):\(port)"
        let deadline = monotonicNanoseconds() &+ timeout.nanoseconds
        var lastError: any Error = SocketError.invalidAddress(operation)
        for address in try await Resolver.resolve(host: host, port: port) {
            do {
                return try await connect(
                    to: address,
                    deadline: deadline,
                    operation: operation,
                    systemCalls: systemCalls,
                    whileConnecting: whileConnecting
                )
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func connect(
        to address: SocketAddress,
        deadline: UInt64,
        operation: String,
        systemCalls: SocketSystemCalls,
        whileConnecting: (Socket) -> Void
    ) async throws -> Socket {
        _ = ignoreSIGPIPEOnce
        // Refused before the descriptor exists: a process at its descriptor limit cannot recover (DescriptorBudget).
        guard DescriptorBudget.admitsOutgoingSocket else { throw SocketError(operation: operation, errno: EMFILE) }
        let raw = Glibc.socket(
            address.family,
            Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
            0
        )
        guard raw >= 0 else { throw SocketError(operation: operation, errno: errno) }
        let socket = try Socket(adopting: raw, peer: address, systemCalls: systemCalls)
        whileConnecting(socket)
        let result = try systemCall("connect", isBlocking: { $0 == EINPROGRESS || $0 == EAGAIN }) {
            address.withSockaddr { systemCalls.connect(raw, $0, $1) }
        }
        if case .wouldBlock = result {
            try await socket.wait(.write, deadline: deadline, operation: operation)
            let code =
                socket.withDescriptor { fd -> Int32 in
                    var code: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                    return code
                } ?? ECONNABORTED
            if code != 0 { throw SocketError(operation: operation, errno: code) }
        }
        return socket
    }

    /// Reads whatever is available, up to `maxBytes` (at most 64 KiB); an empty result means the peer closed its side.
    public func read(maxBytes: Int = 64 * 1024, deadline: UInt64? = nil) async throws -> [UInt8] {
        while true {
            // Received into this thread's scratch buffer and copied out at its size: a read that would block
            // allocates nothing, and a small message does not pin a 64 KiB array.
            let scratch = ReadScratch.forCurrentThread
            let result = try withDescriptor { fd in
                try systemCall("recv") {
                    systemCalls.recv(
                        fd,
                        UnsafeMutableRawBufferPointer(start: scratch.baseAddress, count: min(maxBytes, scratch.count)),
                        0
                    )
                }
            }
            switch result {
            case .some(.done(let count)): return Array(UnsafeBufferPointer(rebasing: scratch[..<count]))
            case .some(.wouldBlock): try await wait(.read, deadline: deadline, operation: readOperation)
            case .none: throw SocketError.closed(readOperation)
            }
        }
    }

    /// Writes all of `bytes`, waiting for buffer space as needed.
    public func write(_ bytes: some Collection<UInt8>, deadline: UInt64? = nil) async throws {
        let contiguous = Array(bytes)
        var offset = 0
        while offset < contiguous.count {
            let result = try contiguous.withUnsafeBytes { buffer in
                try withDescriptor { fd in
                    try systemCall("send") {
                        systemCalls.send(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...]), Int32(MSG_NOSIGNAL))
                    }
                }
            }
            switch result {
            case .some(.done(let written)):
                offset += written
            case .some(.wouldBlock):
                try await wait(.write, deadline: deadline, operation: writeOperation)
            case .none:
                throw SocketError.closed(writeOperation)
            }
        }
    }

    /// True when the peer has closed or reset the connection or sent unexpected bytes; used to discard stale
    /// pooled connections before reuse. Never waits.
    public func isStale() -> Bool {
        withDescriptor { fd in
            var probe: UInt8 = 0
            let outcome = withUnsafeMutableBytes(of: &probe) {
                systemCalls.recv(fd, $0, Int32(MSG_PEEK | MSG_DONTWAIT))
            }
            if case .failure(let code) = outcome { return !(code == EAGAIN || code == EWOULDBLOCK) }
            return true
        } ?? true
    }

    /// Half-closes the sending side, telling the peer no more bytes follow.
    public func shutdownWrite() {
        withDescriptor { fd in _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Aborts the connection with a TCP reset instead of an orderly close.
    public func reset() {
        withDescriptor { fd in
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        close()
    }

    /// Closes the socket once: new calls fail at once, waiting tasks fail with a `closed` error, and the
    /// descriptor itself is closed as soon as no system call is using it. `close(2)` is never retried.
    public func close() {
        let (descriptor, closeNow) = state.withLock { state -> (Int32?, Bool) in
            guard !state.isClosed else { return (nil, false) }
            state.isClosed = true
            return (state.descriptor, state.leases == 0)
        }
        guard let descriptor else { return }
        IOReactor.shared.deregister(descriptor)
        if closeNow { closeDescriptor(descriptor) }
    }

    private func closeDescriptor(_ descriptor: Int32) {
        _ = systemCalls.close(descriptor)
        DescriptorBudget.socketClosed()
    }

    /// True until ``close()`` has been called.
    public var isOpen: Bool { state.withLock { !$0.isClosed } }
}

/// A listening TCP socket.
public final class Listener: Sendable {
    private let socket: Socket
    /// The bound address; its port is the real one when port 0 was requested.
    public let address: SocketAddress

    /// Binds and listens on a numeric host (`127.0.0.1`, `::1`, `0.0.0.0`; `localhost` means 127.0.0.1).
    public convenience init(host: String, port: Int, backlog: Int32 = 1024) throws {
        try self.init(host: host, port: port, backlog: backlog, systemCalls: .live)
    }

    /// Binds and listens with a replaceable system call table, which accepted sockets use too (tests inject
    /// failures through it).
    init(host: String, port: Int, backlog: Int32, systemCalls: SocketSystemCalls) throws {
        _ = ignoreSIGPIPEOnce
        let numericHost = host == "localhost" ? "127.0.0.1" : host
        let operation = "listen on \(host):\(port)"
        guard let requested = SocketAddress(numericHost: numericHost, port: port) else {
            throw SocketError.invalidAddress(operation)
        }
        let fd = Glibc.socket(
            requested.family,
            Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
            0
        )
        guard fd >= 0 else { throw SocketError(operation: operation, errno: errno) }
        var enable: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))
        let bound = requested.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            let code = errno
            _ = systemCalls.close(fd)
            throw SocketError(operation: operation, errno: code)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        address =
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(raw: $0) }
            } ?? requested
        socket = try Socket(adopting: fd, peer: nil, systemCalls: systemCalls)
    }

    /// Waits for the next connection; fails with a `closed` error once the listener is closed.
    public func accept() async throws -> Socket {
        while true {
            guard socket.isOpen else { throw SocketError.closed("accept") }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = try socket.withDescriptor { fd in
                try withUnsafeMutablePointer(to: &storage) { pointer in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                        try systemCall(
                            "accept4",
                            isBlocking: { [EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO].contains($0) }
                        ) {
                            socket.systemCalls.accept4(
                                fd,
                                raw,
                                &length,
                                Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
                            )
                        }
                    }
                }
            }
            switch fd {
            case .some(.done(let accepted)):
                let peer = withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(raw: $0) }
                }
                return try Socket(adopting: accepted, peer: peer, systemCalls: socket.systemCalls)
            case .some(.wouldBlock):
                try await socket.waitReadable(operation: "accept on \(address)")
            case .none:
                throw SocketError.closed("accept")
            }
        }
    }

    /// Stops listening; a pending ``accept()`` fails.
    public func close() {
        socket.close()
    }
}

extension Socket {
    func waitReadable(operation: String) async throws {
        try await wait(.read, deadline: nil, operation: operation)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at the bounds of `UInt64`.
    package var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole &+ UInt64(attoseconds / 1_000_000_000)
    }
}

/// A point on the monotonic clock `timeout` from now, for socket deadlines.
public func deadline(after timeout: Duration) -> UInt64 {
    monotonicNanoseconds() &+ timeout.nanoseconds
}

/// One 64 KiB receive buffer per thread, made on first use and kept for the thread's life (the process has a
/// handful of threads). It is used only between a `recv` and the copy right after it, with no suspension between.
private enum ReadScratch {
    static let capacity = 64 * 1024
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key) { free($0) } == 0, "pthread_key_create failed")
        return key
    }()

    static var forCurrentThread: UnsafeMutableBufferPointer<UInt8> {
        if let existing = pthread_getspecific(key) {
            return UnsafeMutableBufferPointer(start: existing.assumingMemoryBound(to: UInt8.self), count: capacity)
        }
        let buffer = malloc(capacity)!
        pthread_setspecific(key, buffer)
        return UnsafeMutableBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: capacity)
    }
}
