// A hello-world server on the tdf transport, for measuring the transport alone under wrk.
import HTTPTransport
import HTTPWire

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
let body = Array("hello, world\n".utf8)
let server = try HTTPServer(configuration: HTTPServerConfiguration(port: port)) { _ in
    var headers = HTTPHeaders()
    headers.append(name: "Content-Type", value: "text/plain")
    return HTTPServerResponse(status: 200, headers: headers, body: .bytes(body))
}
print("listening \(server.baseURL)")
fflush(stdout)
while true {
    try await Task.sleep(for: .seconds(3600))
}
