import Foundation
public import HTTPTransport
import HTTPWire
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Requests to `https://` upstreams, through the URLSession of the toolchain's Foundation (on Linux, the system's
/// libcurl): tdf ships no TLS of its own. The answer has the shape ``HTTPClient`` gives, so the proxy records,
/// relays and times it the same way; the body streams in as libcurl receives it.
///
/// What URLSession does differently from the plain-HTTP client, all in Docs/reach.md:
/// - certificates are checked against the system trust store only (no per-session CA file, no opt-out);
/// - a request without `Accept`, `Accept-Encoding`, `Accept-Language` or `User-Agent` gets URLSession's own, and a
///   body without `Content-Type` is sent as `application/x-www-form-urlencoded`;
/// - libcurl decodes `gzip`, `deflate`, `br` and `zstd` bodies itself: ``HTTPClientResponse/decodedFrom`` says so;
/// - response headers come as a dictionary: repeated fields arrive joined with ", ", in name order, and the reason
///   phrase is the standard one for the status;
/// - the body is read as fast as the upstream sends it (a URLSession task cannot pause without starting over), so a
///   client slower than the upstream makes the proxy hold the difference, up to ``maximumBodyBytes``.
public final class HTTPSClient: Sendable {
    /// The largest response body read before the exchange fails with ``HTTPClientError/Kind/bodyTooLarge``.
    public let maximumBodyBytes: Int
    private let session: URLSession
    private let delegate: SessionDelegate

    /// Makes a client; its connections are pooled by URLSession.
    public init(maximumBodyBytes: Int = 512 << 20) {
        self.maximumBodyBytes = maximumBodyBytes
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        configuration.httpMaximumConnectionsPerHost = 64
        let delegate = SessionDelegate()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "tdf https client"
        self.delegate = delegate
        self.session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Sends `request` to its `https://` URL and returns once the response head has arrived. `readTimeout` bounds
    /// every silence, connecting included. If `abortSignal` fires before the head, the request fails with
    /// ``HTTPClientError/Kind/aborted``.
    public func execute(
        _ request: HTTPClientRequest,
        readTimeout: Duration,
        abortSignal: AbortSignal? = nil
    ) async throws(HTTPClientError) -> HTTPClientResponse {
        let summary = "\(request.method) \(request.url)"
        guard request.url.scheme == .https, let url = URL(string: request.url.description) else {
            throw HTTPClientError(.invalidRequest, request: summary, detail: "not an https:// URL URLSession accepts")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = max(1, Double(readTimeout.components.seconds))
        for field in request.headers.fields {
            urlRequest.addValue(field.value, forHTTPHeaderField: field.name)
        }
        if let body = request.body {
            urlRequest.httpBody = Data(body)
        } else if ["POST", "PUT", "PATCH"].contains(request.method) {
            urlRequest.httpBody = Data()
        }
        let task = session.dataTask(with: urlRequest)
        let transfer = Transfer(request: summary, host: request.url.authority, limit: maximumBodyBytes) {
            task.cancel()
        }
        delegate.register(transfer, for: task.taskIdentifier)
        var registration: UInt64?
        if let abortSignal {
            registration = abortSignal.add { transfer.abort() }
            if registration == nil { transfer.abort() }
        }
        defer {
            if let abortSignal, let registration { abortSignal.remove(registration) }
        }
        let head: HTTPResponseHead
        let decodedFrom: String?
        do {
            (head, decodedFrom) = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    transfer.awaitHead(continuation)
                    task.resume()
                }
            } onCancel: {
                transfer.abort()
            }
        } catch {
            throw error as? HTTPClientError
                ?? HTTPClientError(.connectionClosed, request: summary, detail: String(describing: error))
        }
        return HTTPClientResponse(
            head: head,
            body: HTTPClientBody(source: StreamedBody(transfer: transfer)),
            decodedFrom: decodedFrom
        )
    }

    /// The content codings libcurl removes from a body before URLSession hands it over (it asks for them all).
    static let codingsLibcurlDecodes: Set<String> = ["gzip", "x-gzip", "deflate", "br", "zstd"]
}

/// Routes URLSession's callbacks, which arrive on one serial queue, to the transfer of their task.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked: NSObject subclasses cannot be checked; the one stored property is a Mutex.
    private let transfers = Mutex<[Int: Transfer]>([:])

    func register(_ transfer: Transfer, for task: Int) {
        transfers.withLock { $0[task] = transfer }
    }

    private func transfer(of task: URLSessionTask) -> Transfer? {
        transfers.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        transfer(of: dataTask)?.received(response)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        transfer(of: dataTask)?.received(data)
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)  // a proxy passes a redirect on to its client
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let transfer = transfers.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        transfer?.completed(error)
    }
}

/// One request's way from URLSession's callbacks to the task awaiting its head and the reader of its body.
private final class Transfer: Sendable {
    private struct State {
        var headWaiter: CheckedContinuation<(HTTPResponseHead, String?), any Error>?
        var pieces: [[UInt8]] = []
        var received = 0
        var finished = false
        var failure: HTTPClientError?
        var bodyWaiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    let request: String
    let host: String
    let limit: Int
    private let cancelTask: @Sendable () -> Void
    private let state = Mutex(State())

    init(request: String, host: String, limit: Int, cancelTask: @escaping @Sendable () -> Void) {
        self.request = request
        self.host = host
        self.limit = limit
        self.cancelTask = cancelTask
    }

    func awaitHead(_ continuation: CheckedContinuation<(HTTPResponseHead, String?), any Error>) {
        let failure = state.withLock { state -> HTTPClientError? in
            if let failure = state.failure { return failure }
            state.headWaiter = continuation
            return nil
        }
        if let failure { continuation.resume(throwing: failure) }
    }

    /// Stops the transfer: before its head, the request fails as aborted; after, the body ends in an error.
    func abort() {
        fail(HTTPClientError(.aborted, request: request, detail: "aborted"))
        cancelTask()
    }

    func received(_ response: URLResponse) {
        guard let response = response as? HTTPURLResponse else {
            fail(HTTPClientError(.malformedResponse, request: request, detail: "the answer is not HTTP"))
            return
        }
        var headers = HTTPHeaders()
        let fields = response.allHeaderFields.compactMap { name, value -> (String, String)? in
            guard let name = name as? String, let value = value as? String else { return nil }
            return (name, value)
        }
        for (name, value) in fields.sorted(by: { $0.0.lowercased() < $1.0.lowercased() }) {
            headers.append(name: name, value: value)
        }
        let head = HTTPResponseHead(
            status: response.statusCode,
            reason: HTTPStatus.reasonPhrase(for: response.statusCode),
            headers: headers
        )
        let codings = headers.values(named: "Content-Encoding")
            .flatMap { $0.split(separator: ",") }
            .map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
        let decodedFrom =
            !codings.isEmpty && codings.allSatisfy(HTTPSClient.codingsLibcurlDecodes.contains)
            ? codings.joined(separator: ", ") : nil
        let waiter = state.withLock { state -> CheckedContinuation<(HTTPResponseHead, String?), any Error>? in
            defer { state.headWaiter = nil }
            return state.headWaiter
        }
        waiter?.resume(returning: (head, decodedFrom))
    }

    func received(_ data: Data) {
        let piece = [UInt8](data)
        var tooLarge = false
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !state.finished, state.failure == nil else { return nil }
            state.received += piece.count
            if state.received > limit {
                tooLarge = true
                return nil
            }
            guard let waiter = state.bodyWaiter else {
                state.pieces.append(piece)
                return nil
            }
            state.bodyWaiter = nil
            return waiter
        }
        if tooLarge {
            fail(HTTPClientError(.bodyTooLarge, request: request, detail: "the body is larger than \(limit) bytes"))
            cancelTask()
        }
        waiter?.resume(returning: piece)
    }

    func completed(_ error: (any Error)?) {
        guard let error else {
            let (headWaiter, bodyWaiter) = state.withLock { state in
                state.finished = true
                defer { (state.headWaiter, state.bodyWaiter) = (nil, nil) }
                return (state.headWaiter, state.bodyWaiter)
            }
            headWaiter?.resume(
                throwing: HTTPClientError(.malformedResponse, request: request, detail: "the answer had no head")
            )
            bodyWaiter?.resume(returning: nil)
            return
        }
        let bytes = state.withLock { $0.received }
        fail(classify(error, bytesReceived: bytes))
    }

    private func fail(_ failure: HTTPClientError) {
        let (headWaiter, bodyWaiter) = state.withLock { state in
            if state.failure == nil && !state.finished { state.failure = failure }
            defer { (state.headWaiter, state.bodyWaiter) = (nil, nil) }
            return (state.headWaiter, state.bodyWaiter)
        }
        headWaiter?.resume(throwing: failure)
        bodyWaiter?.resume(throwing: failure)
    }

    /// The next piece of the body: everything that arrived since the last call, or the next piece to arrive.
    func nextPiece() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let ready = state.withLock { state -> Result<[UInt8]?, HTTPClientError>? in
                    if !state.pieces.isEmpty {
                        defer { state.pieces.removeAll(keepingCapacity: true) }
                        return .success(state.pieces.count == 1 ? state.pieces[0] : Array(state.pieces.joined()))
                    }
                    if let failure = state.failure { return .failure(failure) }
                    if state.finished { return .success(nil) }
                    state.bodyWaiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            abort()
        }
    }

    /// The whole body if it has all arrived; nil when more is to come.
    func takeIfComplete() -> [UInt8]? {
        state.withLock { state in
            guard state.finished, state.failure == nil else { return nil }
            defer { state.pieces.removeAll() }
            return Array(state.pieces.joined())
        }
    }

    /// Cancels a transfer whose body nobody reads any more.
    func abandon() {
        let open = state.withLock { !$0.finished && $0.failure == nil }
        if open { abort() }
    }

    /// URLSession's error as the proxy classifies failures; a certificate problem names the host and the way out.
    private func classify(_ error: any Error, bytesReceived: Int) -> HTTPClientError {
        let nsError = error as NSError
        let text = nsError.localizedDescription
        let kind: HTTPClientError.Kind
        var detail = text
        switch nsError.code {
        case NSURLErrorCancelled:
            kind = .aborted
        case NSURLErrorTimedOut:
            kind = .readTimeout
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed:
            kind = .connectFailed
        case NSURLErrorNetworkConnectionLost:
            kind = .connectionClosed
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted,
            NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateHasUnknownRoot,
            NSURLErrorServerCertificateNotYetValid, NSURLErrorClientCertificateRejected:
            kind = .tlsFailed
        default:
            kind = text.hasPrefix("SSL") || text.contains("certificate") ? .tlsFailed : .connectionClosed
        }
        if kind == .tlsFailed {
            detail =
                "TLS with \(host) failed: \(text). The certificate must be trusted by this machine's system trust "
                + "store (on Linux URLSession reads no other): add its CA there, e.g. with update-ca-certificates"
        }
        return HTTPClientError(kind, request: request, detail: detail, bytesReceived: bytesReceived)
    }
}

/// A response body fed by URLSession's callbacks; dropping it unread cancels the transfer.
private final class StreamedBody: HTTPBodySource {
    private let transfer: Transfer

    init(transfer: Transfer) {
        self.transfer = transfer
    }

    deinit {
        transfer.abandon()
    }

    func next() async throws -> [UInt8]? {
        try await transfer.nextPiece()
    }

    func takeIfAlreadyComplete() async -> [UInt8]? {
        transfer.takeIfComplete()
    }
}
