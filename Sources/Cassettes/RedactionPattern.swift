/// A regular expression whose matches in text bodies are secrets (Docs/security.md): the first capture group when
/// the expression has one (`password=(\w+)` redacts only the value), else the whole match.
///
/// The syntax is Swift's `Regex` (Perl-like, as in most tools); a pattern that does not compile is refused where it is
/// given, with the reason. A compiled `Regex` is not `Sendable` (it compiles lazily into shared state), so the pattern
/// keeps its text and each use compiles its own.
public struct RedactionPattern: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let description: String

    /// Checks that `source` compiles; throws the compiler's reason when it is not a regular expression.
    public init(_ source: String) throws {
        _ = try Regex(source)
        description = source
    }

    /// The byte ranges of `text`'s UTF-8 that are secrets, in order, not overlapping.
    func secretRanges(in text: String) -> [Range<Int>] {
        guard let regex = try? Regex(description) else { return [] }  // compiled once already, in init
        let utf8 = text.utf8
        return text.matches(of: regex).compactMap { match in
            let range = match.output.count > 1 ? (match.output[1].range ?? match.range) : match.range
            guard !range.isEmpty,
                let lower = range.lowerBound.samePosition(in: utf8),
                let upper = range.upperBound.samePosition(in: utf8)
            else { return nil }
            return utf8.distance(from: utf8.startIndex, to: lower)..<utf8.distance(from: utf8.startIndex, to: upper)
        }
    }
}
