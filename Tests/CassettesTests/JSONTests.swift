import Cassettes
import Foundation
import Testing

@Suite struct JSONTests {
    /// Parsing then writing compactly keeps member order, number text and every character.
    @Test func roundTripKeepsOrderAndNumbers() throws {
        let text = #"{"z":1,"a":[true,false,null,-0.50,1E+3],"s":"é\"\\/\n\u0001😀","n":{}}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value["z"] == .number("1"))
        #expect(value["a"]?.arrayValue?[3] == .number("-0.50"))
        #expect(value["s"]?.stringValue == "é\"\\/\n\u{01}😀")
        #expect(JSONWriter.string(value) == #"{"z":1,"a":[true,false,null,-0.50,1E+3],"s":"é\"\\/\n\u0001😀","n":{}}"#)
    }

    /// Canonical style sorts keys by their bytes at every level and drops whitespace.
    @Test func canonicalSortsKeys() throws {
        let value = try JSONParser.parse(Array(#"{ "b" : { "y":1, "x":2 }, "a" : [ 3 , 2 ] }"#.utf8))
        #expect(JSONWriter.string(value, style: .canonical) == #"{"a":[3,2],"b":{"x":2,"y":1}}"#)
    }

    /// Whatever the writer produces, Foundation's JSON parser reads back to the same strings.
    @Test func writerOutputIsStandardJSON() throws {
        var text = ""
        for scalar in 0..<0x80 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        text += "\u{2028}é😀"
        let bytes = JSONWriter.bytes(.array([.string(text)]))
        let decoded = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String]
        #expect(decoded == [text])
    }

    /// Surrogate-pair escapes decode to one scalar; a lone surrogate is rejected.
    @Test func surrogatePairs() throws {
        #expect(try JSONParser.parse(Array(#""\ud83d\ude00""#.utf8)) == .string("😀"))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(#""\ud83d""#.utf8)) }
    }

    /// Malformed input is rejected with the offset where parsing stopped.
    @Test(arguments: [
        ("{\"a\":1,}", 7), ("[1 2]", 3), ("01", 1), ("\"abc", 4), ("{\"a\" 1}", 5), ("tru", 0), ("1 x", 2), ("", 0),
    ])
    func rejectsMalformed(text: String, offset: Int) {
        #expect {
            try JSONParser.parse(Array(text.utf8))
        } throws: { error in
            (error as? JSONParseError)?.offset == offset
        }
    }

    /// Nesting deeper than the limit is an error, not a stack overflow.
    @Test func rejectsDeepNesting() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    /// Milliseconds are written with at most three decimals and no trailing zeros.
    @Test func millisecondsFormatting() {
        #expect(JSONValue.milliseconds(1.25) == .number("1.25"))
        #expect(JSONValue.milliseconds(20) == .number("20"))
        #expect(JSONValue.milliseconds(0.0004) == .number("0"))
        #expect(JSONValue.milliseconds(3.14159) == .number("3.142"))
    }

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

    /// Timestamps print as ISO 8601 UTC with milliseconds and parse back.
    @Test func timestamps() {
        let stamp = Timestamp(millisecondsSinceEpoch: 1_764_072_000_123)
        #expect(stamp.description == "2025-11-25T12:00:00.123Z")
        #expect(Timestamp(iso8601: stamp.description) == stamp)
        #expect(Timestamp(iso8601: "1970-01-01T00:00:00Z") == Timestamp(millisecondsSinceEpoch: 0))
        #expect(Timestamp(millisecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(iso8601: "2025-13-01T00:00:00Z") == nil)
    }

    /// Run ids that could escape the directory or are not plain names are refused.
    @Test(arguments: [
        "", "..", ".", "../x", "a/b", "a\u{0}b", ".hidden", "_default", "r 1", "é", String(repeating: "a", count: 129),
    ])
    func rejectsUnsafeRunIDs(text: String) {
        #expect(throws: CassetteError.self) { try RunID(validating: text) }
    }

    /// Plain run ids are accepted and map to their cassette file name.
    @Test func acceptsRunIDs() throws {
        let run = try RunID(validating: "r_000042")
        #expect(run.fileName == "r_000042.jsonl.gz")
        #expect(RunID.run(forFileName: "r_000042.jsonl.gz") == .some(run))
        #expect(RunID.run(forFileName: "_default.jsonl.gz") == .some(nil))
        #expect(RunID.run(forFileName: "index.json") == nil)
        #expect(try RunID.parseArgument("_default") == nil)
    }
}
