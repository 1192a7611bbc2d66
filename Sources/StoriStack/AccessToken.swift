public import Foundation
import Hashing
import JSON

/// Maestro's access codes: HS256 JSON Web Tokens with claims `type` (`"access"`), `iat`, `exp` and optionally `sub`
/// and `role` (service-contracts.md §1.1).
public enum AccessToken {
    /// The secret the simulator and `tdf stack token` use when none is given and `TDF_JWT_SECRET` is unset.
    /// It is public on purpose: it only protects a local simulator.
    public static let developmentSecret = "tdf-development-secret-not-for-production"

    /// The environment variable that overrides ``developmentSecret`` for both the stack and the token command.
    public static let secretEnvironmentVariable = "TDF_JWT_SECRET"

    /// The secret to use: `explicit` when given, else `TDF_JWT_SECRET` from `environment` when non-empty, else
    /// ``developmentSecret``.
    public static func secret(explicit: String?, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let fromEnvironment = environment[secretEnvironmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return developmentSecret
    }

    /// Mints a signed access token valid for `ttl` seconds from `issuedAt` (Unix seconds, default now).
    public static func mint(
        secret: String,
        subject: String? = nil,
        ttl: Int = 3600,
        issuedAt: Int = Int(Date().timeIntervalSince1970),
        role: String? = nil
    ) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let payload: JSONValue = [
            "type": "access", "iat": .int(issuedAt), "exp": .int(issuedAt + ttl), "sub": .optional(subject),
            "role": .optional(role),
        ]
        let signingInput =
            base64URL(JSONWriter.bytes(header)) + "." + base64URL(JSONWriter.bytes(payload))
        let signature = HMACSHA256.authenticationCode(for: Array(signingInput.utf8), key: Array(secret.utf8))
        return signingInput + "." + base64URL(signature.bytes)
    }

    /// The verified claims of a token.
    struct Claims: Sendable, Equatable {
        var subject: String?
        var expiresAt: Int
        var role: String?
    }

    /// What the `Authorization` header amounts to.
    enum Verdict: Sendable, Equatable {
        /// A valid access token.
        case valid(Claims)
        /// No header, an empty token, or a scheme other than Bearer.
        case missing
        /// Bad signature, malformed, expired or wrong claims.
        case invalid
    }

    /// Checks an `Authorization` header value against `secret` at time `now` (Unix seconds).
    static func verify(authorization: String?, secret: String, now: Int) -> Verdict {
        guard let authorization else { return .missing }
        let trimmed = authorization.trimmingWhitespace()
        guard let space = trimmed.firstIndex(of: " ") else { return .missing }
        let scheme = trimmed[..<space]
        let token = String(trimmed[space...]).trimmingWhitespace()
        guard scheme.lowercased() == "bearer", !token.isEmpty else { return .missing }
        guard !secret.isEmpty else { return .invalid }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = decodeBase64URL(String(parts[0])),
            let payloadBytes = decodeBase64URL(String(parts[1])),
            let signature = decodeBase64URL(String(parts[2])),
            case .object(let header)? = try? JSONParser.parse(headerBytes, options: .python),
            header["alg"] == "HS256",
            case .object(let payload)? = try? JSONParser.parse(payloadBytes, options: .python)
        else { return .invalid }
        let expected = HMACSHA256.authenticationCode(
            for: Array("\(parts[0]).\(parts[1])".utf8),
            key: Array(secret.utf8)
        ).bytes
        guard constantTimeEqual(expected, signature) else { return .invalid }
        guard payload["type"] == "access", let expiresAt = payload["exp"]?.integerValue, expiresAt > now else {
            return .invalid
        }
        if let issuedAt = payload["iat"], issuedAt.integerValue == nil { return .invalid }
        var subject: String?
        if let sub = payload["sub"], sub != .null {
            guard case .string(let text) = sub else { return .invalid }
            subject = text
        }
        return .valid(Claims(subject: subject, expiresAt: expiresAt, role: payload["role"]?.stringValue))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), text.allSatisfy(\.isASCII)
        else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
