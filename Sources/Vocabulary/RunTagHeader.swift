/// The headers the harness tags each request with, so the proxy can file the exchange under its run, in order,
/// and replay can find it again (cassette-format.md §7). The proxy strips them before forwarding, so no service
/// sees them.
public enum RunTagHeader {
    /// The run id, e.g. `r_000042`.
    public static let run = "X-TDF-Run"
    /// The request's index within its run, from 0.
    public static let ordinal = "X-TDF-Ordinal"
    /// The harness step the request belongs to, e.g. `compose`.
    public static let step = "X-TDF-Step"
    /// Every tag, in the order the harness sends them.
    public static let all = [run, ordinal, step]

    /// Whether `lowercasedName`, a header name already lowercased, is one of the tags. A few string comparisons,
    /// not a hash: it runs for every header of every proxied request.
    public static func isTag(lowercasedName: String) -> Bool {
        lowercasedNames.contains(lowercasedName)
    }

    private static let lowercasedNames = all.map { $0.lowercased() }
}
