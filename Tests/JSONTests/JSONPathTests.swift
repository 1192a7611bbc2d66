import JSON
import Testing

@Suite struct JSONPathTests {
    /// Paths select members, elements, wildcards and descendants; locate reports each value's exact bytes.
    @Test func pathsLocateValues() throws {
        let body = Array(#"{"user":{"token":"abc","n":[{"secret":1},{"secret":"x y"}]},"token":"top"}"#.utf8)
        func found(_ path: String) throws -> [String] {
            let path = try #require(JSONPath(path))
            return try JSONParser.locate([path], in: body).map { String(decoding: body[$0.range], as: UTF8.self) }
        }
        #expect(try found("token") == [#""top""#])
        #expect(try found("$.user.token") == [#""abc""#])
        #expect(try found("user.n[*].secret") == ["1", #""x y""#])
        #expect(try found("user.n[1]") == [#"{"secret":"x y"}"#])
        #expect(try found("..token") == [#""abc""#, #""top""#])
        #expect(try found("$['user']['token']") == [#""abc""#])
        #expect(JSONPath("a..") == nil)
        #expect(JSONPath("a[x]") == nil)
    }
}
