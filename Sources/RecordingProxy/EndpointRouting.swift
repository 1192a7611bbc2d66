public import HTTPTransport

/// Puts the proxy in front of a set of ``Endpoints``: one service per distinct upstream host and port (Maestro and
/// Storpheus always; the prompt catalogue and MUSE only when they live on a host of their own), and the same
/// endpoints rewritten to reach each service through its listener.
public struct EndpointRouting: Sendable {
    /// The services to start, in listener order: maestro, storpheus, then prompts and muse when separate.
    public let services: [ProxyConfiguration.Service]
    private let serviceOfRole: [Endpoints.Role: String]

    /// Routes `endpoints`; `forwarding` gives each service its upstream (record, passthrough, record-missing),
    /// otherwise the services answer from cassettes alone (replay) under the same names.
    public init(_ endpoints: Endpoints, forwarding: Bool) {
        var services: [ProxyConfiguration.Service] = []
        var upstreams: [HTTPURL] = []
        var serviceOfRole: [Endpoints.Role: String] = [:]
        for role in [Endpoints.Role.maestro, .storpheus, .prompts, .muse] {
            let url = endpoints[role]
            if let shared = upstreams.firstIndex(where: { $0.host == url.host && $0.port == url.port }) {
                serviceOfRole[role] = services[shared].name
            } else {
                services.append(
                    ProxyConfiguration.Service(name: role.rawValue, upstream: forwarding ? url.with(target: "/") : nil)
                )
                upstreams.append(url)
                serviceOfRole[role] = role.rawValue
            }
        }
        self.services = services
        self.serviceOfRole = serviceOfRole
    }

    /// `endpoints` with each URL's host and port replaced by its service's listener on `proxy`; the targets stay.
    public func rewrite(_ endpoints: Endpoints, through proxy: ProxyServer) -> Endpoints {
        endpoints.map { role, url in
            guard let service = serviceOfRole[role], let base = proxy.baseURL(for: service),
                let local = HTTPURL(string: base)
            else { return url }
            return local.with(target: url.target)
        }
    }
}
