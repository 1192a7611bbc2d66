import HTTPWire
import Hashing
import JSON
import Testing

@testable import StoriStack

@Suite struct MaestroContractTests {
    /// `/api/v1/health`, `/api/v1/health/full` and `/` answer the documented bodies without auth.
    @Test func healthEndpoints() async throws {
        try await withStack { stack in
            let health = try await stack.get(stack.maestro + "/api/v1/health")
            #expect(health.status == 200)
            #expect(
                health.text
                    == #"{"status":"ok","service":"Maestro","version":"0.1.4","tagline":"the infinite music machine"}"#
            )
            #expect(health.headers["Content-Type"] == "application/json")
            let full = try await stack.get(stack.maestro + "/api/v1/health/full")
            #expect(full.json?["status"] == "ok")
            #expect(full.json?["dependencies"]?["storpheus"]?["url"] == .string(stack.storpheus))
            let root = try await stack.get(stack.maestro + "/")
            #expect(root.text == #"{"service":"Maestro","version":"0.1.4","docs":"/docs"}"#)
        }
    }

    /// The prompt routes return four distinct catalogue items with id, title, preview and a MAESTRO PROMPT.
    @Test func promptRoutesReturnFourItems() async throws {
        try await withStack { stack in
            for path in ["/api/v1/maestro/prompts"] {
                let response = try await stack.get(stack.maestro + path, token: "ignored")
                #expect(response.status == 200)
                let items = response.json?["prompts"]?.arrayValue ?? []
                #expect(items.count == 4)
                #expect(Set(items.compactMap { $0["id"]?.stringValue }).count == 4)
                for item in items {
                    #expect(item.objectValue?.keys == ["id", "title", "preview", "fullPrompt"])
                    #expect(item["fullPrompt"]?.stringValue?.hasPrefix("MAESTRO PROMPT\nMode: compose\n") == true)
                    #expect((item["preview"]?.stringValue?.split(separator: "\n").count ?? 0) >= 3)
                }
            }
            let one = try await stack.get(stack.maestro + "/api/v1/maestro/prompts/lofi_boom_bap")
            #expect(one.json?["title"] == "Lo-fi boom bap · Cm · 75 BPM")
            let missing = try await stack.get(stack.maestro + "/api/v1/maestro/prompts/nope")
            #expect(missing.status == 404)
            #expect(missing.text == #"{"detail":"Prompt 'nope' not found."}"#)
            let placeholders = try await stack.get(stack.maestro + "/api/v1/maestro/ui/placeholders")
            #expect((placeholders.json?["placeholders"]?.arrayValue?.count ?? 0) > 0)
        }
    }

    /// The catalogue has at least 24 varied prompts: distinct ids, many styles and keys, every role count 1...5.
    @Test func catalogueIsVaried() {
        let items = PromptCatalogue.items
        #expect(items.count >= 24)
        #expect(Set(items.map(\.id)).count == items.count)
        #expect(Set(items.map(\.style)).count >= 18)
        #expect(Set(items.map(\.key)).count >= 12)
        #expect(Set(items.map(\.tempo)).count >= 15)
        #expect(Set(items.map(\.roles.count)) == [1, 2, 3, 4, 5])
        for item in items {
            guard case .structured(let prompt) = PromptKind(text: item.fullPrompt) else {
                Issue.record("\(item.id) does not parse as a MAESTRO PROMPT")
                continue
            }
            #expect(prompt.roles == item.roles)
            #expect(prompt.tempo == item.tempo)
            #expect(prompt.bars == item.bars)
            #expect(MusicalKey(parsing: item.key) != nil)
        }
    }

    /// The earlier harness's `/api/v1/prompts/random` is a 404, as on the real server; the legacy setting serves
    /// the catalogue there.
    @Test func theLegacyPromptRouteIsA404UnlessAskedFor() async throws {
        try await withStack { stack in
            let response = try await stack.get(stack.maestro + "/api/v1/prompts/random")
            #expect(response.status == 404)
            #expect(response.text == #"{"detail":"Not Found"}"#)
        }
        var legacy = testConfiguration()
        legacy.servesHarnessPromptRoute = true
        try await withStack(legacy) { stack in
            let response = try await stack.get(stack.maestro + "/api/v1/prompts/random")
            #expect(response.status == 200)
            #expect(response.json?["prompts"]?.arrayValue?.count == 4)
        }
    }

    /// Unknown paths are 404 `Not Found`, a wrong method is 405 `Method Not Allowed` with `Allow`.
    @Test func unknownPathAndWrongMethod() async throws {
        try await withStack { stack in
            #expect(try await stack.get(stack.maestro + "/api/v1").status == 404)
            let unknown = try await stack.get(stack.maestro + "/api/v1/nothing-here")
            #expect(unknown.status == 404)
            #expect(unknown.text == #"{"detail":"Not Found"}"#)
            let wrong = try await stack.get(stack.maestro + "/api/v1/maestro/stream")
            #expect(wrong.status == 405)
            #expect(wrong.text == #"{"detail":"Method Not Allowed"}"#)
            #expect(wrong.headers["Allow"] == "POST")
            let museWrong = try await stack.get(stack.maestro + "/api/v1/muse/merge")
            #expect(museWrong.status == 405)
        }
    }

    /// The protocol endpoints describe the event registry; validate-token answers for a valid token.
    @Test func protocolAndValidateToken() async throws {
        try await withStack { stack in
            let description = try await stack.get(stack.maestro + "/api/v1/protocol")
            #expect(description.json?["protocolVersion"] == "0.1.4")
            #expect(description.json?["eventTypes"]?.arrayValue?.contains("phrase") == true)
            #expect(description.json?["eventCount"] == .int(ProtocolDescription.eventFields.count))
            #expect(try await stack.get(stack.maestro + "/api/v1/protocol/events.json").status == 200)
            #expect(try await stack.get(stack.maestro + "/api/v1/protocol/schema.json").status == 200)
            #expect(try await stack.get(stack.maestro + "/api/v1/openapi.json").status == 200)
            let valid = try await stack.get(stack.maestro + "/api/v1/validate-token", token: stack.token())
            #expect(valid.json?["valid"] == .bool(true))
            #expect((valid.json?["expiresInSeconds"]?.intValue ?? 0) > 3000)
            #expect(try await stack.get(stack.maestro + "/api/v1/validate-token").status == 401)
        }
    }
}

@Suite struct AuthenticationTests {
    private static let required = #"{"detail":"Access code required. Please provide a valid access code."}"#
    private static let invalid = #"{"detail":"Invalid or expired access code."}"#

    /// Every documented 401 case answers its exact body with `WWW-Authenticate: Bearer`.
    @Test func everyUnauthorizedBody() async throws {
        try await withStack { stack in
            let secret = stack.stack.configuration.jwtSecret
            let body = JSONWriter.bytes(["prompt": "MAESTRO PROMPT\nMode: ask\nRequest: hi\n"])
            let cases: [(String?, String)] = [
                (nil, Self.required),
                ("Bearer ", Self.required),
                ("Basic abc", Self.required),
                ("bearer " + stack.token(), ""),  // scheme is case-insensitive: accepted
                ("Bearer not.a.jwt", Self.invalid),
                ("Bearer " + AccessToken.mint(secret: "other-secret"), Self.invalid),
                ("Bearer " + AccessToken.mint(secret: secret, ttl: -10), Self.invalid),
                (
                    "Bearer "
                        + Self.token(secret: secret, payload: ["type": "refresh", "iat": 1, "exp": 9_999_999_999]),
                    Self.invalid
                ),
                (
                    "Bearer " + Self.token(secret: secret, payload: ["type": "access", "iat": 1, "exp": "never"]),
                    Self.invalid
                ),
                (
                    "Bearer "
                        + Self.token(
                            secret: secret,
                            payload: ["type": "access", "iat": 1, "exp": 9_999_999_999, "sub": 5]
                        ), Self.invalid
                ),
            ]
            for (authorization, expected) in cases {
                let result = try await stack.composeRaw(body, token: nil, authorization: authorization)
                if expected.isEmpty {
                    #expect(result.status == 200, "\(authorization ?? "-")")
                    continue
                }
                #expect(result.status == 401, "\(authorization ?? "-")")
                #expect(String(decoding: result.raw, as: UTF8.self) == expected, "\(authorization ?? "-")")
                #expect(result.headers["WWW-Authenticate"] == "Bearer")
            }
            let muse = try await stack.post(stack.maestro + "/api/v1/muse/head", json: #"{"variation_id":"x"}"#)
            #expect(muse.status == 401)
            #expect(muse.text == Self.required)
        }
    }

    /// Forced auth faults give the revoked 401 and the fail-closed 503 bodies.
    @Test func forcedAuthFaults() async throws {
        let expectations: [(String, Int, String)] = [
            ("auth=401", 401, Self.invalid),
            ("auth=revoked", 401, #"{"detail":"Access code has been revoked."}"#),
            ("auth=503", 503, #"{"detail":"Unable to verify token status. Please try again later."}"#),
        ]
        for (spec, status, body) in expectations {
            var configuration = testConfiguration()
            configuration.faults = [try StackFault(parsing: spec)]
            try await withStack(configuration) { stack in
                let response = try await stack.post(
                    stack.maestro + "/api/v1/muse/head",
                    json: #"{"variation_id":"x"}"#,
                    token: stack.token()
                )
                #expect(response.status == status)
                #expect(response.text == body)
                #expect(response.headers["WWW-Authenticate"] == "Bearer")
                #expect(try await stack.get(stack.maestro + "/api/v1/health").status == 200)
            }
        }
    }

    /// A minted token has the documented claims and verifies with its secret only.
    @Test func mintedTokenHasTheClaims() throws {
        let token = AccessToken.mint(secret: "s", subject: "alice", ttl: 60, issuedAt: 1000)
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        let payload = try JSONParser.parse(try #require(AccessToken.decodeBase64URL(parts[1])), options: .python)
        #expect(payload == ["type": "access", "iat": 1000, "exp": 1060, "sub": "alice"])
        #expect(
            AccessToken.verify(authorization: "Bearer \(token)", secret: "s", now: 1001)
                == .valid(.init(subject: "alice", expiresAt: 1060, role: nil))
        )
        #expect(AccessToken.verify(authorization: "Bearer \(token)", secret: "s", now: 1060) == .invalid)
        #expect(AccessToken.verify(authorization: "Bearer \(token)", secret: "t", now: 1001) == .invalid)
        #expect(AccessToken.secret(explicit: nil, environment: ["TDF_JWT_SECRET": "env"]) == "env")
        #expect(AccessToken.secret(explicit: nil, environment: [:]) == AccessToken.developmentSecret)
    }

    static func token(secret: String, payload: JSONValue) -> String {
        let input =
            AccessToken.base64URL(JSONWriter.bytes(["alg": "HS256", "typ": "JWT"])) + "."
            + AccessToken.base64URL(JSONWriter.bytes(payload))
        let signature = HMACSHA256.authenticationCode(for: Array(input.utf8), key: Array(secret.utf8)).bytes
        return input + "." + AccessToken.base64URL(signature)
    }
}
