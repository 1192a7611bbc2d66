public import HTTPTransport
import Vocabulary

/// Puts the proxy in front of a set of ``Endpoints``: one service per distinct upstream host and port (Maestro and
/// Storpheus always; the prompt catalogue and MUSE only when they live on a host of their own), and the same
/// endpoints rewritten to reach each service through its listener.
public struct EndpointRouting: Sendable {
    /// The services to start, in listener order: maestro, storpheus, then prompts and muse when separate.
    public let services: [ProxyConfiguration.ServiceRoute]
    private let serviceOfRole: [Endpoints.Role: Service]

    /// Routes `endpoints`; `forwarding` gives each service its upstream (record, passthrough, record-missing),
    /// otherwise the services answer from cassettes alone (replay) under the same names.
    public init(_ endpoints: Endpoints, forwarding: Bool) {
        var services: [ProxyConfiguration.ServiceRoute] = []
        var upstreams: [HTTPURL] = []
        var serviceOfRole: [Endpoints.Role: Service] = [:]
        for role in [Endpoints.Role.maestro, .storpheus, .prompts, .muse] {
            let url = endpoints[role]
            if let shared = upstreams.firstIndex(where: { $0.host == url.host && $0.port == url.port }) {
                serviceOfRole[role] = services[shared].name
            } else {
                let service = Self.service(for: role)
                services.append(
                    ProxyConfiguration.ServiceRoute(name: service, upstream: forwarding ? url.with(target: "/") : nil)
                )
                upstreams.append(url)
                serviceOfRole[role] = service
            }
        }
        self.services = services
        self.serviceOfRole = serviceOfRole
    }

    /// The service a role is named as when it gets a listener of its own.
    private static func service(for role: Endpoints.Role) -> Service {
        switch role {
        case .prompts: .prompts
        case .maestro: .maestro
        case .storpheus: .storpheus
        case .muse: .muse
        }
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
