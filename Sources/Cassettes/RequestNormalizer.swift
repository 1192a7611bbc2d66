import Hashing
import JSON

/// How requests are compared in replay (cassette-format.md §7): by method, target and normalised body digest.
public enum RequestNormalizer {
    /// The normalised body digest, lowercase hex SHA-256: of the canonical JSON form (``JSONWriter``'s `canonical`
    /// style: keys sorted, no whitespace, numbers as written) when the body is a JSON object or array, else of
    /// the raw bytes. An empty body hashes the empty string.
    public static func bodyDigest(_ body: [UInt8]) -> String {
        if let value = jsonDocument(body) {
            return SHA256.hash(JSONWriter.bytes(value, style: .canonical)).hex
        }
        return SHA256.hash(body).hex
    }

    /// The body as a JSON object or array, or nil when it is neither (then replay compares its bytes).
    static func jsonDocument(_ body: [UInt8]) -> JSONValue? {
        guard let first = body.first(where: { $0 > 0x20 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return nil }
        return try? JSONParser.parse(body)
    }
}
