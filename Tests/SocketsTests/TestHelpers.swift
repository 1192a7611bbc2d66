import Glibc
import Synchronization

@testable import Sockets

/// What one injected call did, as the socket saw it: bytes moved, or a failure's `errno`.
enum Transfer: Equatable, Sendable {
    case moved(Int)
    case failed(Int32)

    init(_ outcome: SocketSystemCalls.Outcome<Int>) {
        switch outcome {
        case .success(let count): self = .moved(count)
        case .failure(let code): self = .failed(code)
        }
    }
}

/// A log shared with the `@Sendable` closures of an injected table, which run on whatever thread the socket uses.
final class CallLog<Entry: Sendable>: Sendable {
    private let entries = Mutex<[Entry]>([])

    /// Adds `entry` and returns how many entries there are now, so a closure can act on its n-th call.
    @discardableResult
    func append(_ entry: Entry) -> Int {
        entries.withLock { entries in
            entries.append(entry)
            return entries.count
        }
    }

    var all: [Entry] { entries.withLock { $0 } }
}

/// The two ends of a connected Unix stream pair: `near` makes its calls through `systemCalls`, `far` through the
/// real ones. A socketpair rather than TCP so that nothing is bound, and readiness still comes from the kernel.
func socketPair(near systemCalls: SocketSystemCalls) throws -> (near: Socket, far: Socket) {
    var descriptors: [Int32] = [-1, -1]
    let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
    guard socketpair(AF_UNIX, type, 0, &descriptors) == 0 else {
        throw SocketError(operation: "socketpair", errno: errno)
    }
    let far: Socket
    do {
        far = try Socket(adopting: descriptors[1], peer: nil, systemCalls: .live)
    } catch {
        close(descriptors[0])
        throw error
    }
    return (try Socket(adopting: descriptors[0], peer: nil, systemCalls: systemCalls), far)
}

/// Reads until `count` bytes arrived or the peer closed, whichever is first.
func read(_ count: Int, from socket: Socket, deadline: UInt64) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    while bytes.count < count {
        let chunk = try await socket.read(deadline: deadline)
        if chunk.isEmpty { break }
        bytes += chunk
    }
    return bytes
}
