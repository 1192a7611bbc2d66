import JSON

/// Collects pydantic v2 error objects (`{"type","loc","msg","input","ctx"?}`) while coercing request fields the way
/// pydantic's lax mode does, so a 422 from the simulator reads like one from FastAPI.
struct RequestValidation {
    /// The error objects so far, in field order.
    private(set) var errors: [JSONValue] = []

    /// Whether nothing failed.
    var isValid: Bool { errors.isEmpty }

    /// The FastAPI body of a 422: `{"detail":[errors]}`.
    var detail: JSONValue { ["detail": .array(errors)] }

    /// Records one error.
    mutating func fail(_ type: String, _ loc: [JSONValue], _ message: String, input: JSONValue, ctx: JSONObject? = nil)
    {
        var error: JSONObject = ["type": .string(type), "loc": .array(loc), "msg": .string(message), "input": input]
        if let ctx { error["ctx"] = .object(ctx) }
        errors.append(.object(error))
    }

    /// The value of the first of `names` present in `object` (camelCase first, snake_case accepted), with the name
    /// that matched.
    static func member(_ object: JSONObject, _ names: [String]) -> (name: String, value: JSONValue)? {
        for name in names {
            if let value = object[name] { return (name, value) }
        }
        return nil
    }

    /// A required member: records `missing` (with the whole object as input) when absent.
    mutating func required(
        _ object: JSONObject,
        _ names: [String],
        at prefix: [JSONValue]
    ) -> (
        loc: [JSONValue], value: JSONValue
    )? {
        guard let found = Self.member(object, names) else {
            fail("missing", prefix + [.string(names[0])], "Field required", input: .object(object))
            return nil
        }
        return (prefix + [.string(found.name)], found.value)
    }

    /// A string (pydantic does not turn numbers into strings).
    mutating func string(_ value: JSONValue, at loc: [JSONValue]) -> String? {
        if case .string(let text) = value { return text }
        fail("string_type", loc, "Input should be a valid string", input: value)
        return nil
    }

    /// An integer: integral floats and numeric strings are accepted, as in lax mode.
    mutating func int(_ value: JSONValue, at loc: [JSONValue]) -> Int? {
        if let number = value.integerValue { return number }
        switch value {
        case .bool(let flag): return flag ? 1 : 0
        case .number:
            let number = value.floatValue ?? .nan
            if number.rounded() == number, abs(number) < 9e18 { return Int(number) }
            fail(
                "int_from_float",
                loc,
                "Input should be a valid integer, got a number with a fractional part",
                input: value
            )
            return nil
        case .string(let text):
            if let number = Self.integer(text) { return number }
            fail(
                "int_parsing",
                loc,
                "Input should be a valid integer, unable to parse string as an integer",
                input: value
            )
            return nil
        default:
            fail("int_type", loc, "Input should be a valid integer", input: value)
            return nil
        }
    }

    /// The integer a string spells for pydantic: surrounding whitespace, a sign, single underscores between digits
    /// and a fraction of zeros (`"60.00"`) are allowed.
    private static func integer(_ text: String) -> Int? {
        var digits = Substring(text.trimmingWhitespace())
        if let dot = digits.firstIndex(of: "."), digits.index(after: dot) < digits.endIndex,
            digits[digits.index(after: dot)...].allSatisfy({ $0 == "0" })
        {
            digits = digits[..<dot]
        }
        let unsigned = digits.first == "+" || digits.first == "-" ? digits.dropFirst() : digits
        guard unsigned.first != "_", unsigned.last != "_", !unsigned.contains("__") else { return nil }
        return Int(String(digits.filter { $0 != "_" }))
    }

    /// A float: integers and numeric strings are accepted.
    mutating func double(_ value: JSONValue, at loc: [JSONValue]) -> Double? {
        if let number = value.integerValue { return Double(number) }
        if let number = value.floatValue { return number }
        switch value {
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text):
            if let number = Double(text.trimmingWhitespace()), number.isFinite { return number }
            fail(
                "float_parsing",
                loc,
                "Input should be a valid number, unable to parse string as a number",
                input: value
            )
            return nil
        default:
            fail("float_type", loc, "Input should be a valid number", input: value)
            return nil
        }
    }

    /// A Boolean: 0/1 and the usual words are accepted.
    mutating func bool(_ value: JSONValue, at loc: [JSONValue]) -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .number where value.doubleValue == 0 || value.doubleValue == 1: return value.doubleValue == 1
        case .string(let text):
            switch text.lowercased() {
            case "1", "on", "t", "true", "y", "yes": return true
            case "0", "off", "f", "false", "n", "no": return false
            default: break
            }
            fail("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", input: value)
            return nil
        case .number:
            fail("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", input: value)
            return nil
        default:
            fail("bool_type", loc, "Input should be a valid boolean", input: value)
            return nil
        }
    }

    /// An array.
    mutating func list(_ value: JSONValue, at loc: [JSONValue]) -> [JSONValue]? {
        if case .array(let elements) = value { return elements }
        fail("list_type", loc, "Input should be a valid list", input: value)
        return nil
    }

    /// A `tuple[float, float]`: an array of exactly two numbers. More items are one `too_long` error (the items
    /// are then not looked at); fewer are a `missing` error per absent position.
    mutating func floatPair(_ value: JSONValue, at loc: [JSONValue]) -> [Double]? {
        guard case .array(let items) = value else {
            fail("tuple_type", loc, "Input should be a valid tuple", input: value)
            return nil
        }
        guard items.count <= 2 else {
            fail(
                "too_long",
                loc,
                "Tuple should have at most 2 items after validation, not \(items.count)",
                input: value,
                ctx: ["field_type": "Tuple", "max_length": 2, "actual_length": .int(items.count)]
            )
            return nil
        }
        let numbers = items.enumerated().compactMap { double($1, at: loc + [.int($0)]) }
        for index in items.count..<2 {
            fail("missing", loc + [.int(index)], "Field required", input: value)
        }
        return numbers.count == 2 ? numbers : nil
    }

    /// A dictionary-typed field (`dict[str, Any]`).
    mutating func dictionary(_ value: JSONValue, at loc: [JSONValue]) -> JSONObject? {
        if case .object(let object) = value { return object }
        fail("dict_type", loc, "Input should be a valid dictionary", input: value)
        return nil
    }

    /// A nested model.
    mutating func model(_ value: JSONValue, at loc: [JSONValue]) -> JSONObject? {
        if case .object(let object) = value { return object }
        fail(
            "model_attributes_type",
            loc,
            "Input should be a valid dictionary or object to extract fields from",
            input: value
        )
        return nil
    }

    /// A list of strings.
    mutating func strings(_ value: JSONValue, at loc: [JSONValue]) -> [String]? {
        guard let elements = list(value, at: loc) else { return nil }
        var result: [String] = []
        var ok = true
        for (index, element) in elements.enumerated() {
            if let text = string(element, at: loc + [.int(index)]) { result.append(text) } else { ok = false }
        }
        return ok ? result : nil
    }

    /// Checks `minimum <= number <= maximum` (either bound optional), recording pydantic's range errors.
    mutating func range(
        _ number: Double,
        at loc: [JSONValue],
        input: JSONValue,
        ge: Double? = nil,
        gt: Double? = nil,
        le: Double? = nil
    ) -> Bool {
        if let ge, number < ge {
            fail(
                "greater_than_equal",
                loc,
                "Input should be greater than or equal to \(Self.bound(ge))",
                input: input,
                ctx: ["ge": Self.boundValue(ge)]
            )
            return false
        }
        if let gt, number <= gt {
            fail(
                "greater_than",
                loc,
                "Input should be greater than \(Self.bound(gt))",
                input: input,
                ctx: ["gt": Self.boundValue(gt)]
            )
            return false
        }
        if let le, number > le {
            fail(
                "less_than_equal",
                loc,
                "Input should be less than or equal to \(Self.bound(le))",
                input: input,
                ctx: ["le": Self.boundValue(le)]
            )
            return false
        }
        return true
    }

    private static func bound(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : JSONValue.pythonFloat(value)
    }

    private static func boundValue(_ value: Double) -> JSONValue {
        value.rounded() == value ? .int(Int(value)) : .double(value)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
