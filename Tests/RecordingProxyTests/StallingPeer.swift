import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A one-connection loopback peer on a thread of its own, with blocking system calls, so it answers at once even
/// when the cooperative pool is starved: a test can then shorten a timeout without racing the scheduler.
///
/// It accepts one connection, reads the request, writes `reply` in a single write, then sends nothing more until
/// the client hangs up (or `holdLimit` passes, a safety net) and closes.
final class StallingPeer: Sendable {
    /// The port it listens on.
    let port: Int
    /// The listening descriptor until the connection is accepted (or `stop()` wakes the accept).
    private let listener: Mutex<Int32?>

    init(reply: [UInt8], holdLimit: Duration = .seconds(60)) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw StallingPeerError(operation: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            throw StallingPeerError(operation: "bind", code: code)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = Mutex(descriptor)
        let seconds = Int(holdLimit.components.seconds)
        Thread { [self] in serveOnce(descriptor: descriptor, reply: reply, holdSeconds: seconds) }.start()
    }

    /// Wakes a thread still waiting for a connection, so it ends.
    func stop() {
        listener.withLock { descriptor in
            if let descriptor { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    private func serveOnce(descriptor: Int32, reply: [UInt8], holdSeconds: Int) {
        let connection = accept(descriptor, nil, nil)
        listener.withLock { open in
            close(descriptor)
            open = nil
        }
        guard connection >= 0 else { return }
        defer { close(connection) }
        var limit = timeval(tv_sec: holdSeconds, tv_usec: 0)
        _ = setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        guard recv(connection, &buffer, buffer.count, 0) > 0 else { return }
        _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        while recv(connection, &buffer, buffer.count, 0) > 0 {}
    }
}

/// A system call that failed while setting up a ``StallingPeer``.
struct StallingPeerError: Error, CustomStringConvertible {
    let operation: String
    let code: Int32

    var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
}
