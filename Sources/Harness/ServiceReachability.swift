public import HTTPTransport

/// The check made before any run starts: does anything listen at each endpoint's address? A service nobody
/// listens for is an environment problem (exit 3), not a failed run. The check only connects and closes, so no
/// request reaches a service or lands in a recording.
public enum ServiceReachability {
    /// Why the first unreachable address cannot be reached, as one line naming every role behind it, or nil
    /// when something listens at every one. Each distinct host and port is tried once.
    public static func firstProblem(
        reaching endpoints: Endpoints,
        connectTimeout: Duration = .seconds(5)
    ) async -> String? {
        let client = HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: connectTimeout))
        var addresses: [(url: HTTPURL, names: [String])] = []
        for role in Endpoints.Role.allCases {
            let url = endpoints[role]
            if let index = addresses.firstIndex(where: { $0.url.authority == url.authority }) {
                addresses[index].names.append(role.rawValue)
            } else {
                addresses.append((url, [role.rawValue]))
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
