import HTTPTransport
import HTTPWire
import Synchronization
import Vocabulary

/// Which service a request to the forward listener belongs to, by the authority it names: its `Host`, which is the
/// authority of the absolute URL an `HTTP_PROXY` client sends (the server reads that URL as origin-form plus Host).
///
/// In order: the service whose upstream has that host and port; for a host without a port, the one service whose
/// upstream has that host and its scheme's default port (so `http://staging.example.com` reaches a service recorded
/// from `https://staging.example.com`); the service of that name (`http://maestro/...`); otherwise a service named
/// after the authority, whose upstream is the authority itself, over plain HTTP. Record and replay derive the same name, so what one records the other finds.
struct ForwardRouting: Sendable {
    /// Why a request cannot be routed: the 4xx it gets.
    struct Refusal: Error {
        let status: Int
        let code: String
        let detail: String
    }

    let services: [ProxyConfiguration.ServiceRoute]
    let forwards: Bool

    /// The service for a request naming `host`; `ownPorts` are the ports this proxy listens on, which a request for
    /// a loopback address must not name: it would go round in a circle.
    func route(host: String?, ownPorts: Set<Int>) -> Result<ProxyConfiguration.ServiceRoute, Refusal> {
        guard let host, !host.isEmpty else {
            return .failure(
                Refusal(
                    status: 400,
                    code: "no_authority",
                    detail: "the request names no host: send it as to an HTTP proxy, with an absolute URL "
                        + "(a client's HTTP_PROXY does this), or with a Host header"
                )
            )
        }
        guard let authority = HTTPURL(string: "http://" + host), authority.target == "/" else {
            return .failure(
                Refusal(status: 400, code: "bad_authority", detail: "the host '\(host)' is not HOST or HOST:PORT")
            )
        }
        let name = authority.host.lowercased()
        if ownPorts.contains(authority.port) && Self.isLoopback(name) {
            return .failure(
                Refusal(
                    status: 400,
                    code: "not_a_proxy_request",
                    detail:
                        "the request is for this proxy itself (\(authority.authority)): use the listener as an HTTP "
                        + "proxy (HTTP_PROXY=http://\(authority.authority)) and request the service's own URL"
                )
            )
        }
        let upstreams = services.compactMap { route in route.upstream.map { (route: route, url: $0) } }
        let sameHost = upstreams.filter { $0.url.host.lowercased() == name }
        if let exact = sameHost.first(where: { $0.url.port == authority.port }) { return .success(exact.route) }
        // `http://staging.example.com` (no port) for a service recorded from `https://staging.example.com`.
        let defaultPorts = sameHost.filter { authority.port == 80 && $0.url.port == $0.url.scheme.defaultPort }
        if defaultPorts.count == 1 { return .success(defaultPorts[0].route) }
        if let named = services.first(where: { $0.name.rawValue.lowercased() == name }) { return .success(named) }
        guard let derived = Service(rawValue: Self.serviceName(for: authority)) else {
            return .failure(
                Refusal(status: 400, code: "bad_authority", detail: "no service name can be made of '\(host)'")
            )
        }
        let upstream = forwards ? HTTPURL(host: authority.host, port: authority.port) : nil
        var route = ProxyConfiguration.ServiceRoute(name: derived, upstream: upstream)
        route.listens = false
        return .success(route)
    }

    /// The name of the service an unconfigured authority is recorded under: its host with every character outside
    /// `[a-z0-9]` made `-`, and `-PORT` unless the port is 80, e.g. `api-example-com` or `127-0-0-1-8080`.
    static func serviceName(for authority: HTTPURL) -> String {
        var name = String(
            authority.host.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        )
        if authority.port != 80 { name += "-\(authority.port)" }
        return String(name.prefix(64))
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "0.0.0.0" || host == "::"
    }
}

/// Answers the forward listener's requests: each goes to the service its authority names, as if it had come to that
/// service's own listener.
final class ForwardHandler: Sendable {
    let routing: ForwardRouting
    let core: ProxyCore
    /// Every port the proxy listens on, set once the listeners are bound.
    let ownPorts = Mutex<Set<Int>>([])

    init(routing: ForwardRouting, core: ProxyCore) {
        self.routing = routing
        self.core = core
    }

    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        if request.head.method == "CONNECT" { return ServiceHandler.connectRefusal(target: request.head.target) }
        switch routing.route(host: request.head.headers["Host"], ownPorts: ownPorts.withLock { $0 }) {
        case .success(let service):
            return await ServiceHandler(service: service, core: core).handle(request)
        case .failure(let refusal):
            return ProxyAnswers.error(status: refusal.status, code: refusal.code, detail: refusal.detail).response
        }
    }
}
