import Foundation
import JSON
import Testing

@Suite struct JSONWriterTests {
    /// Canonical style sorts keys by their bytes at every level and drops whitespace.
    @Test func canonicalSortsKeys() throws {
        let value = try JSONParser.parse(Array(#"{ "b" : { "y":1, "x":2 }, "a" : [ 3 , 2 ] }"#.utf8))
        #expect(JSONWriter.string(value, style: .canonical) == #"{"a":[3,2],"b":{"x":2,"y":1}}"#)
    }

    /// Pretty style indents by two spaces, writes `": "` after keys and keeps empty containers on one line.
    @Test func prettyLayout() {
        let value: JSONValue = ["b": [1, [], ["x": .object(JSONObject())]], "a": "é"]
        #expect(
            JSONWriter.string(value, style: .pretty) == """
                {
                  "b": [
                    1,
                    [],
                    {
                      "x": {}
                    }
                  ],
                  "a": "é"
                }
                """
        )
    }

    /// Whatever the writer produces, Foundation's JSON parser reads back to the same strings.
    @Test func writerOutputIsStandardJSON() throws {
        var text = ""
        for scalar in 0..<0x80 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        text += "\u{2028}é😀"
        for style in [JSONWriter.Style.compact, .pythonSorted] {
            let bytes = JSONWriter.bytes(.array([.string(text)]), style: style)
            let decoded = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String]
            #expect(decoded == [text])
        }
    }

    /// Python's `json.dumps(sort_keys=True)`: `", "`/`": "` separators, sorted keys, ASCII escapes, float reprs.
    @Test func pythonSortedSerialisation() throws {
        let value = try JSONParser.parse(
            #"{"b":"é ü 😀 \u007f \n","a":[1e16,1e-05,0.1,123.0,-0.0,9.5e15]}"#,
            options: .python
        )
        #expect(
            JSONWriter.string(value, style: .pythonSorted)
                == #"{"a": [1e+16, 1e-05, 0.1, 123.0, -0.0, 9500000000000000.0], "b": "\u00e9 \u00fc \ud83d\ude00 \u007f \n"}"#
        )
        #expect(JSONWriter.string(["b": "é", "a": 1]) == #"{"b":"é","a":1}"#)
    }

    /// Control characters get their short escapes or lowercase `\u00XX`; `/` and DEL stay as they are.
    @Test func escapes() {
        #expect(
            JSONWriter.string(.string("\"\\/\u{08}\u{0C}\n\r\t\u{00}\u{1F}\u{7F}"))
                == #""\"\\/\b\f\n\r\t\u0000\u001f\#u{7F}""#
        )
    }

    /// Floats are written as Python's `repr(float)`; integers and milliseconds without a fraction.
    @Test func numbers() {
        #expect(
            JSONWriter.string([.double(1), .double(0.1), .double(1e16), .double(1e-5), .int(-3)])
                == "[1.0,0.1,1e+16,1e-05,-3]"
        )
        #expect(JSONValue.double(.nan) == .null)
        #expect(JSONValue.milliseconds(1.25) == .number("1.25"))
        #expect(JSONValue.milliseconds(20) == .number("20"))
        #expect(JSONValue.milliseconds(0.0004) == .number("0"))
        #expect(JSONValue.milliseconds(3.14159) == .number("3.142"))
    }

    /// Object literals leave out nil members; setting a key keeps its position and nil removes it.
    @Test func objectEditing() {
        var object: JSONObject = ["a": 1, "b": nil, "c": 3]
        #expect(object.keys == ["a", "c"])
        object["a"] = 9
        object["c"] = nil
        object["d"] = true
        #expect(JSONWriter.string(.object(object)) == #"{"a":9,"d":true}"#)
        #expect(JSONValue.object([("x", 1), ("x", 2)]).members.count == 2)
        #expect(JSONObject(merging: [("x", 1), ("y", 0), ("x", 2)]) == ["x": 2, "y": 0])
    }

    /// Typed accessors tell Python ints from floats and read camelCase or snake_case spellings.
    @Test func accessors() throws {
        let value = try JSONParser.parse(
            #"{"n":3,"f":3.0,"g":2.5,"snake_case":null,"camelCase":"x"}"#,
            options: .python
        )
        #expect(value["n"]?.integerValue == 3 && value["n"]?.floatValue == nil)
        #expect(value["f"]?.integerValue == nil && value["f"]?.floatValue == 3 && value["f"]?.intValue == 3)
        #expect(value["g"]?.intValue == nil && value["g"]?.doubleValue == 2.5)
        #expect(value.first("snake_case", "camelCase") == "x")
        #expect(value["missing"] == nil && value[0] == nil)
    }
}
