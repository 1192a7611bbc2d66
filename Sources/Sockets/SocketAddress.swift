import Foundation

#if canImport(Glibc)
    import CLinux
    @preconcurrency import Glibc
#endif

/// An IPv4 or IPv6 socket address.
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    enum Storage: Sendable, Equatable {
        case v4(sockaddr_in)
        case v6(sockaddr_in6)

        static func == (lhs: Storage, rhs: Storage) -> Bool {
            switch (lhs, rhs) {
            case (.v4(var a), .v4(var b)):
                return memcmp(&a, &b, MemoryLayout<sockaddr_in>.size) == 0
            case (.v6(var a), .v6(var b)):
                return memcmp(&a, &b, MemoryLayout<sockaddr_in6>.size) == 0
            default:
                return false
            }
        }
    }

    let storage: Storage

    /// Parses a numeric IPv4 or IPv6 host (no name lookup) and a port.
    public init?(numericHost host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, bareHost, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            storage = .v4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, bareHost, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            storage = .v6(v6)
            return
        }
        return nil
    }

    init(storage: Storage) {
        self.storage = storage
    }

    init?(raw: UnsafePointer<sockaddr>) {
        switch Int32(raw.pointee.sa_family) {
        case AF_INET:
            storage = .v4(UnsafeRawPointer(raw).load(as: sockaddr_in.self))
        case AF_INET6:
            storage = .v6(UnsafeRawPointer(raw).load(as: sockaddr_in6.self))
        default:
            return nil
        }
    }

    /// The address family (`AF_INET` or `AF_INET6`).
    var family: Int32 {
        switch storage {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        }
    }

    /// The port number.
    public var port: Int {
        switch storage {
        case .v4(let address): return Int(UInt16(bigEndian: address.sin_port))
        case .v6(let address): return Int(UInt16(bigEndian: address.sin6_port))
        }
    }

    /// The numeric host, e.g. `127.0.0.1` or `::1`.
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch storage {
        case .v4(var address):
            inet_ntop(AF_INET, &address.sin_addr, &buffer, socklen_t(buffer.count))
        case .v6(var address):
            inet_ntop(AF_INET6, &address.sin6_addr, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `host:port`, with IPv6 hosts in brackets.
    public var description: String {
        family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch storage {
        case .v4(var address):
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .v6(var address):
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }
}

/// Host name resolution that never blocks the cooperative pool: numeric hosts are parsed in place, names are
/// looked up with `getaddrinfo` on a short-lived thread of their own.
public enum Resolver {
    /// Resolves `host` to socket addresses for `port`, IPv4 first.
    public static func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        if host == "localhost", let loopback = SocketAddress(numericHost: "127.0.0.1", port: port) {
            return [loopback]
        }
        if let numeric = SocketAddress(numericHost: host, port: port) {
            return [numeric]
        }
        return try await OwnThread.run(name: "tdf-resolver") { try lookUp(host: host, port: port) }
    }

    private static func lookUp(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError.resolution("resolve \(host)", String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr, let address = SocketAddress(raw: raw), !addresses.contains(address) {
                addresses.append(address)
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.sorted { $0.family == AF_INET && $1.family != AF_INET }
    }
}
