public import HTTPTransport

/// The check made before any run starts: does anything listen at each service's address? A service nobody
/// listens for is an environment problem (exit 3), not a failed run. The check only connects and closes, so no
/// request reaches a service or lands in a recording.
public enum ServiceReachability {
    /// A service the harness talks to, by the name used in messages.
    public struct Service: Sendable {
        /// E.g. `maestro`.
        public let name: String
        /// Any URL on the service; only its host and port are used.
        public let url: HTTPURL

        /// Names a service.
        public init(name: String, url: HTTPURL) {
            self.name = name
            self.url = url
        }
    }

    /// Why the first unreachable address cannot be reached, as one line naming every service behind it, or nil
    /// when something listens at every one. Each distinct host and port is tried once.
    public static func firstProblem(
        _ services: [Service],
        connectTimeout: Duration = .seconds(5)
    ) async -> String? {
        let client = HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: connectTimeout))
        var addresses: [(url: HTTPURL, names: [String])] = []
        for service in services {
            if let index = addresses.firstIndex(where: { $0.url.authority == service.url.authority }) {
                addresses[index].names.append(service.name)
            } else {
                addresses.append((service.url, [service.name]))
            }
        }
        for (url, names) in addresses {
            do {
                try await client.probe(url)
            } catch {
                return "cannot reach \(names.joined(separator: ", ")) at \(url.authority) (\(error.detail))"
            }
        }
        return nil
    }
}
