import Foundation
import JSON
import TestSupport
import Testing

@Suite struct JSONParserTests {
    /// Parsing then writing compactly keeps member order, number text and every character.
    @Test func roundTripKeepsOrderAndNumbers() throws {
        let text = #"{"z":1,"a":[true,false,null,-0.50,1E+3],"s":"é\"\\/\n\u0001😀","n":{}}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value["z"] == .number("1"))
        #expect(value["a"]?.arrayValue?[3] == .number("-0.50"))
        #expect(value["s"]?.stringValue == "é\"\\/\n\u{01}😀")
        #expect(JSONWriter.string(value) == #"{"z":1,"a":[true,false,null,-0.50,1E+3],"s":"é\"\\/\n\u0001😀","n":{}}"#)
    }

    /// Strict parsing keeps a repeated key as a second member; Python parsing replaces the first value in place.
    @Test func duplicateKeys() throws {
        let text = #"{"a":1,"b":2,"a":3}"#
        #expect(JSONWriter.string(try JSONParser.parse(text)) == text)
        #expect(JSONWriter.string(try JSONParser.parse(text, options: .python)) == #"{"a":3,"b":2}"#)
    }

    /// Surrogate-pair escapes decode to one scalar; a lone surrogate is rejected, or U+FFFD when reading as Python.
    @Test func surrogatePairs() throws {
        #expect(try JSONParser.parse(Array(#""\ud83d\ude00""#.utf8)) == .string("😀"))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(#""\ud83d""#.utf8)) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(#""\ude00""#.utf8)) }
        #expect(try JSONParser.parse(#""\ud83dx""#, options: .python) == .string("\u{FFFD}x"))
        #expect(try JSONParser.parse(#""\ud83d\u0041""#, options: .python) == .string("\u{FFFD}A"))
    }

    /// Malformed input is rejected with the offset where parsing stopped.
    @Test(arguments: [
        ("{\"a\":1,}", 7), ("[1 2]", 3), ("01", 1), ("\"abc", 4), ("{\"a\" 1}", 5), ("tru", 0), ("1 x", 2), ("", 0),
        ("1.", 2), ("-", 1), ("\"\\q\"", 3), ("[\"a\u{01}\"]", 3),
    ])
    func rejectsMalformed(text: String, offset: Int) {
        #expect {
            try JSONParser.parse(Array(text.utf8))
        } throws: { error in
            (error as? JSONParseError)?.offset == offset
        }
    }

    /// The description names the byte and what was expected there.
    @Test func errorDescription() {
        #expect {
            try JSONParser.parse(#"{"a" 1}"#)
        } throws: { error in
            String(describing: error) == "byte 5: expected ':' after an object key"
        }
    }

    /// Parse errors carry Python's messages and positions (in code points, as FastAPI reports them).
    @Test(arguments: [
        ("", "Expecting value", 0), ("{", "Expecting property name enclosed in double quotes", 1),
        (#"{"a" 1}"#, "Expecting ':' delimiter", 5),
        (#"{"a":1,}"#, "Expecting property name enclosed in double quotes", 7),
        ("[1 2]", "Expecting ',' delimiter", 3), (#""abc"#, "Unterminated string starting at", 0),
        (#"{"a":1} x"#, "Extra data", 8), ("nul", "Expecting value", 0), (#""a\x""#, "Invalid \\escape", 2),
        ("[1,]", "Expecting value", 3), ("\"a\tb\"", "Invalid control character at", 2),
        ("[1.]", "Expecting ',' delimiter", 2), ("[-x]", "Expecting value", 1), (#"["é", x]"#, "Expecting value", 6),
        (#""\u12""#, "Invalid \\uXXXX escape", 1), (#"["é\"#, "Unterminated string starting at", 1),
    ])
    func pythonParseErrors(text: String, message: String, position: Int) {
        #expect {
            try JSONParser.parse(text, options: .python)
        } throws: { error in
            let error = error as? JSONParseError
            return error?.pythonMessage == message && error?.pythonPosition == position
        }
    }

    /// Invalid UTF-8 is rejected before parsing when reading as Python, and inside a string otherwise.
    @Test func invalidUTF8() {
        let bytes: [UInt8] = [0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D]
        #expect {
            try JSONParser.parse(bytes, options: .python)
        } throws: { error in
            (error as? JSONParseError)?.pythonMessage == "Invalid UTF-8 in request body"
                && (error as? JSONParseError)?.offset == 2
        }
        #expect {
            try JSONParser.parse(bytes)
        } throws: { error in
            (error as? JSONParseError)?.offset == 2
        }
    }

    /// Python parsing reads numbers as `json.loads` does and gives them the text `json.dumps` writes back.
    @Test func pythonNumbers() throws {
        #expect(
            try JSONParser.parse("[1, 1.0, 1e2, -0]", options: .python) == [.int(1), .double(1), .double(100), .int(0)]
        )
        #expect(
            try JSONParser.parse("[1, 1.0, 1e2, -0]") == [.number("1"), .number("1.0"), .number("1e2"), .number("-0")]
        )
        let big = try JSONParser.parse("[12345678901234567890, 1.50, 1e999]", options: .python)
        #expect(JSONWriter.string(big) == "[1.2345678901234567e+19,1.5,1e999]")
        #expect(big[0]?.integerValue == nil && big[0]?.floatValue == 1.2345678901234567e19)
        #expect(big[2]?.doubleValue == .infinity)
    }

    /// Nesting deeper than the limit is an error, not a stack overflow; the limit itself is accepted.
    @Test func rejectsDeepNesting() throws {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
        var options = JSONParser.Options.strict
        options.maximumDepth = 3
        #expect(try JSONParser.parse("[[[{}]]]") != .null)
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[[[[]]]]", options: options) }
        #expect(try JSONParser.parse("[[[]]]", options: options) == [[[]]])
    }

    /// Input above the size limit is rejected before it is read.
    @Test func rejectsLargeInput() throws {
        var options = JSONParser.Options.strict
        options.maximumBytes = 8
        #expect(try JSONParser.parse("[1,2,3]", options: options) == [1, 2, 3])
        #expect {
            try JSONParser.parse("[1,2,3,4]", options: options)
        } throws: { error in
            String(describing: error) == "byte 8: input larger than 8 bytes"
        }
    }

    /// Random documents written in every style parse back to the same value.
    @Test func randomRoundTrips() throws {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &random)
            for style in [JSONWriter.Style.compact, .pretty, .pythonSorted] {
                let parsed = try JSONParser.parse(JSONWriter.bytes(value, style: style))
                #expect(JSONWriter.bytes(parsed, style: .canonical) == JSONWriter.bytes(value, style: .canonical))
            }
        }
    }

    private static func randomValue(depth: Int, using random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: depth > 3 ? 0...4 : 0...6, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 3: return .double(Double.random(in: -1e6...1e6, using: &random))
        case 4:
            let scalars = (0..<Int.random(in: 0...8, using: &random)).map { _ in
                Unicode.Scalar(UInt32.random(in: 0...0x1_FFFF, using: &random)) ?? "\u{FFFD}"
            }
            return .string(String(String.UnicodeScalarView(scalars)))
        case 5:
            return .array(
                (0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(depth: depth + 1, using: &random) }
            )
        default:
            var object = JSONObject()
            for index in 0..<Int.random(in: 0...4, using: &random) {
                object["k\(Int.random(in: 0...9, using: &random))_\(index)"] = randomValue(
                    depth: depth + 1,
                    using: &random
                )
            }
            return .object(object)
        }
    }
}
