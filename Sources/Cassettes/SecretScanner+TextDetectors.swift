import Foundation
import JSON

/// The detectors that search free text (``SecretScanner`` describes each and its guard). They work on bytes: anything
/// not ASCII separates words, so binary bodies are searched without decoding.
enum TextDetectors {
    struct Match {
        var range: Range<Int>
        var kind: SecretFinding.Kind
        var what: String
    }

    /// The length of the shortest text any detector can match: most strings of a JSON body (names, enums, numbers)
    /// are shorter and need no search at all.
    static let shortestMatch = min(
        armourStart.count + armourEnd.count,
        // A JWT's shortest header that decodes to an object with `alg` is `eyJhbGciOiJ4In0` (`{"alg":"x"}`), then
        // a dot, a payload of two characters, a dot and an empty signature.
        15 + 1 + 2 + 1,
        SecretScanner.keyPrefixes.map { $0.prefix.utf8.count + $0.length.lowerBound }.min() ?? 0,
        "Bearer ".utf8.count + 16,
        SecretScanner.entropyLengths.lowerBound
    )

    /// The matches in `text`, in order, none overlapping: where two overlap, the more precise detector's is kept.
    /// At most ``SecretScanner/maximumFindingsPerText`` are kept, which also bounds the overlap checks.
    static func matches(in text: [UInt8], highEntropy: Bool = true) -> [Match] {
        guard text.count >= shortestMatch else { return [] }
        let runs = runs(in: text)
        // In precedence order: the first detector to claim a span keeps it.
        var found = privateKeys(in: text)
        found += runs.flatMap { jsonWebTokens(in: text, run: $0) }
        found += runs.flatMap { keyPrefixes(in: text, run: $0) }
        found += runs.flatMap { bearerToken(in: text, after: $0) }
        if highEntropy { found += runs.flatMap { randomTokens(in: text, run: $0) } }
        var kept: [Match] = []
        for match in found where !kept.contains(where: { $0.range.overlaps(match.range) }) {
            kept.append(match)
            if kept.count == SecretScanner.maximumFindingsPerText { break }
        }
        return kept.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    // MARK: - Character classes

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Letters, digits and `-._~+/=`: the characters of base64, base64url and RFC 6750 tokens.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "-._~+/=".utf8.contains(byte)
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// Maximal runs of token characters.
    static func runs(in text: [UInt8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start: Int?
        for index in 0...text.count {
            let inside = index < text.count && isTokenCharacter(text[index])
            if inside, start == nil { start = index }
            if !inside, let first = start {
                runs.append(first..<index)
                start = nil
            }
        }
        return runs
    }

    /// `run` cut at `separator`.
    static func pieces(of run: Range<Int>, in text: [UInt8], at separator: UInt8) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = run.lowerBound
        for index in run where text[index] == separator {
            pieces.append(start..<index)
            start = index + 1
        }
        pieces.append(start..<run.upperBound)
        return pieces
    }

    // MARK: - Detectors

    private static let armourStart = Array("-----BEGIN ".utf8)
    private static let armourEnd = Array("PRIVATE KEY-----".utf8)

    /// `-----BEGIN [A-Z ]*PRIVATE KEY-----` (RSA, EC, OPENSSH, ENCRYPTED or none).
    static func privateKeys(in text: [UInt8]) -> [Match] {
        var found: [Match] = []
        var index = 0
        while let start = firstIndex(of: armourStart, in: text, from: index) {
            var end = start + armourStart.count
            while end < text.count, end - start < 64, text[end] == 0x20 || (text[end] >= 0x41 && text[end] <= 0x5A) {
                if text[end...].starts(with: armourEnd) { break }
                end += 1
            }
            if text[end...].starts(with: armourEnd) {
                found.append(Match(range: start..<(end + armourEnd.count), kind: .privateKey, what: "a private key"))
            }
            index = start + 1
        }
        return found
    }

    private static func firstIndex(of needle: [UInt8], in text: [UInt8], from start: Int) -> Int? {
        guard needle.count <= text.count else { return nil }
        var index = start
        while index + needle.count <= text.count {
            if text[index] == needle[0], text[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// `header.payload.signature`, each base64url, the header starting `eyJ` (`{"`) and decoding to a JSON object
    /// with `alg`. The signature may be empty (`alg: none`).
    static func jsonWebTokens(in text: [UInt8], run: Range<Int>) -> [Match] {
        let segments = pieces(of: run, in: text, at: UInt8(ascii: "."))
        var found: [Match] = []
        var index = 0
        while index + 2 < segments.count {
            let (header, payload, signature) = (segments[index], segments[index + 1], segments[index + 2])
            let isJWT =
                text[header].starts(with: "eyJ".utf8) && payload.count >= 2
                && [header, payload, signature].allSatisfy { text[$0].allSatisfy(isBase64URL) }
                && hasAlgorithm(text[header])
            if isJWT {
                found.append(Match(range: header.lowerBound..<signature.upperBound, kind: .jwt, what: "a JWT"))
                index += 3
            } else {
                index += 1
            }
        }
        return found
    }

    private static func hasAlgorithm(_ segment: ArraySlice<UInt8>) -> Bool {
        var standard = String(decoding: segment, as: UTF8.self)
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let bytes = Base64.decode(standard), let header = try? JSONParser.parse(bytes) else { return false }
        return header["alg"] != nil
    }

    /// Whether a known key prefix starts with the byte: most word starts are ruled out with one look-up.
    private static let keyPrefixStarts: [Bool] = {
        var starts = [Bool](repeating: false, count: 256)
        for key in SecretScanner.keyPrefixes { if let first = key.prefix.utf8.first { starts[Int(first)] = true } }
        return starts
    }()

    /// A known prefix at the start of a word (not after a letter or digit), followed by the length and alphabet its
    /// service issues, with a digit among them, and then not by another character of that alphabet.
    static func keyPrefixes(in text: [UInt8], run: Range<Int>) -> [Match] {
        var found: [Match] = []
        var index = run.lowerBound
        while index < run.upperBound {
            guard index == run.lowerBound || !isAlphanumeric(text[index - 1]) else {
                index += 1
                continue
            }
            guard keyPrefixStarts[Int(text[index])] else {
                index += 1
                continue
            }
            var matched: Match?
            for key in SecretScanner.keyPrefixes where text[index..<run.upperBound].starts(with: key.prefix.utf8) {
                let extra = Array(key.extra.utf8)
                var end = index + key.prefix.utf8.count
                let bodyStart = end
                while end < run.upperBound, isAlphanumeric(text[end]) || extra.contains(text[end]) { end += 1 }
                // Issued keys are random and so hold a digit; a slug such as `sk-some-long-page-name` does not.
                if key.length.contains(end - bodyStart),
                    text[bodyStart..<end].contains(where: { $0 >= 0x30 && $0 <= 0x39 })
                {
                    matched = Match(range: index..<end, kind: .keyPrefix, what: "\(key.name) (\(key.prefix))")
                    break
                }
            }
            if let matched {
                found.append(matched)
                index = matched.range.upperBound
            } else {
                index += 1
            }
        }
        return found
    }

    /// `run` is the word `Bearer` (any case) and the next run, after spaces, is a token of 16 characters or more.
    static func bearerToken(in text: [UInt8], after run: Range<Int>) -> [Match] {
        guard run.count == 6, String(decoding: text[run], as: UTF8.self).lowercased() == "bearer" else { return [] }
        var start = run.upperBound
        guard start < text.count, text[start] == 0x20 else { return [] }
        while start < text.count, text[start] == 0x20 { start += 1 }
        var end = start
        while end < text.count, isTokenCharacter(text[end]) { end += 1 }
        guard end - start >= 16 else { return [] }
        return [Match(range: start..<end, kind: .bearerToken, what: "a bearer token")]
    }

    /// Pieces of `run` (cut at dots) that look random: see ``SecretScanner``'s high-entropy detector.
    static func randomTokens(in text: [UInt8], run: Range<Int>) -> [Match] {
        pieces(of: run, in: text, at: UInt8(ascii: ".")).compactMap { piece in
            var piece = piece
            while piece.count > 0, text[piece.upperBound - 1] == UInt8(ascii: "=") {
                piece = piece.lowerBound..<(piece.upperBound - 1)
            }
            guard SecretScanner.entropyLengths.contains(piece.count) else { return nil }
            let bytes = text[piece]
            let hasUpper = bytes.contains { $0 >= 0x41 && $0 <= 0x5A }
            let hasLower = bytes.contains { $0 >= 0x61 && $0 <= 0x7A }
            let hasDigit = bytes.contains { $0 >= 0x30 && $0 <= 0x39 }
            let isHex = bytes.allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: "-") }
            guard hasUpper, hasLower, hasDigit, !isHex, entropy(of: bytes) >= SecretScanner.minimumEntropy else {
                return nil
            }
            return Match(range: piece, kind: .highEntropy, what: "a high-entropy token")
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    /// Shannon entropy of the characters of `bytes`, in bits per character.
    static func entropy(of bytes: ArraySlice<UInt8>) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        return counts.reduce(0.0) { sum, count in
            guard count > 0 else { return sum }
            let share = Double(count) / total
            return sum - share * log2(share)
        }
    }
}
