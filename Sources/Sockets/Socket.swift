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
    private let descriptorState: Mutex<Int32?>
    /// The peer's address, when known.
    public let peer: SocketAddress?

    init(adopting descriptor: Int32, peer: SocketAddress?) throws(SocketError) {
        var enable: Int32 = 1
        // Small SSE frames must leave at once; Nagle would hold them for the previous frame's ACK.
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
        do {
            try IOReactor.shared.register(descriptor)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        self.descriptorState = Mutex(descriptor)
        self.peer = peer
    }

    deinit {
        close()
    }

    private var descriptor: Int32? { descriptorState.withLock { $0 } }

    /// Opens a TCP connection, failing after `timeout`.
    public static func connect(host: String, port: Int, timeout: Duration) async throws -> Socket {
        let operation = "connect to \(host):\(port)"
        let deadline = monotonicNanoseconds() &+ timeout.nanoseconds
        var lastError: any Error = SocketError.invalidAddress(operation)
        for address in try await Resolver.resolve(host: host, port: port) {
            do {
                return try await connect(to: address, deadline: deadline, operation: operation)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func connect(to address: SocketAddress, deadline: UInt64, operation: String) async throws -> Socket {
        _ = ignoreSIGPIPEOnce
        let raw = Glibc.socket(
            address.family,
            Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
            0
        )
        guard raw >= 0 else { throw SocketError(operation: operation, errno: errno) }
        let socket = try Socket(adopting: raw, peer: address)
        let result = try systemCall("connect", blockingErrors: [EINPROGRESS, EAGAIN]) {
            address.withSockaddr { Glibc.connect(raw, $0, $1) }
        }
        if case .wouldBlock = result {
            try await IOReactor.shared.wait(for: .write, on: raw, deadline: deadline, operation: operation)
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(raw, SOL_SOCKET, SO_ERROR, &code, &length)
            if code != 0 { throw SocketError(operation: operation, errno: code) }
        }
        return socket
    }

    /// Reads whatever is available, up to `maxBytes`; an empty result means the peer closed its side.
    public func read(maxBytes: Int = 64 * 1024, deadline: UInt64? = nil) async throws -> [UInt8] {
        while true {
            guard let fd = descriptor else { throw SocketError.closed("read") }
            var count = 0
            let bytes = try [UInt8](unsafeUninitializedCapacity: maxBytes) { buffer, initialized in
                let result = try systemCall("recv") { Glibc.recv(fd, buffer.baseAddress, maxBytes, 0) }
                if case .done(let n) = result { count = n } else { count = -1 }
                initialized = max(count, 0)
            }
            if count >= 0 { return bytes }
            try await IOReactor.shared.wait(for: .read, on: fd, deadline: deadline, operation: "read from \(peerName)")
        }
    }

    /// Writes all of `bytes`, waiting for buffer space as needed.
    public func write(_ bytes: some Collection<UInt8>, deadline: UInt64? = nil) async throws {
        let contiguous = Array(bytes)
        var offset = 0
        while offset < contiguous.count {
            guard let fd = descriptor else { throw SocketError.closed("write") }
            let result = try contiguous.withUnsafeBytes { buffer in
                try systemCall("send") {
                    Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
            switch result {
            case .done(let written):
                offset += written
            case .wouldBlock:
                try await IOReactor.shared.wait(
                    for: .write,
                    on: fd,
                    deadline: deadline,
                    operation: "write to \(peerName)"
                )
            }
        }
    }

    /// True when the peer has closed or reset the connection or sent unexpected bytes; used to discard stale
    /// pooled connections before reuse. Never waits.
    public func isStale() -> Bool {
        guard let fd = descriptor else { return true }
        var probe: UInt8 = 0
        let result = Glibc.recv(fd, &probe, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if result < 0 { return !(errno == EAGAIN || errno == EWOULDBLOCK) }
        return true
    }

    /// Half-closes the sending side, telling the peer no more bytes follow.
    public func shutdownWrite() {
        guard let fd = descriptor else { return }
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Aborts the connection with a TCP reset instead of an orderly close.
    public func reset() {
        guard let fd = descriptor else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    /// Closes the descriptor once; waiting tasks fail with a `closed` error. `close(2)` is never retried.
    public func close() {
        guard
            let fd = descriptorState.withLock({ state -> Int32? in
                defer { state = nil }
                return state
            })
        else { return }
        IOReactor.shared.deregister(fd)
        Glibc.close(fd)
    }

    /// True until ``close()`` has been called.
    public var isOpen: Bool { descriptor != nil }

    private var peerName: String { peer?.description ?? "peer" }
}

/// A listening TCP socket.
public final class Listener: Sendable {
    private let socket: Socket
    /// The bound address; its port is the real one when port 0 was requested.
    public let address: SocketAddress

    /// Binds and listens on a numeric host (`127.0.0.1`, `::1`, `0.0.0.0`; `localhost` means 127.0.0.1).
    public init(host: String, port: Int, backlog: Int32 = 1024) throws {
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
            Glibc.close(fd)
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
        socket = try Socket(adopting: fd, peer: nil)
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
                        try systemCall("accept4", blockingErrors: [EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO]) {
                            tdf_accept4(fd, raw, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                        }
                    }
                }
            }
            switch fd {
            case .some(.done(let accepted)):
                let peer = withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(raw: $0) }
                }
                return try Socket(adopting: accepted, peer: peer)
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
    func withDescriptor<R>(_ body: (Int32) throws -> R) rethrows -> R? {
        guard let fd = descriptor else { return nil }
        return try body(fd)
    }

    func waitReadable(operation: String) async throws {
        guard let fd = descriptor else { throw SocketError.closed(operation) }
        try await IOReactor.shared.wait(for: .read, on: fd, deadline: nil, operation: operation)
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
