import Foundation
import JSON

/// Just enough YAML for MAESTRO PROMPTs: block mappings by indentation, block and flow sequences, flow mappings,
/// literal (`|`) and folded (`>`) block scalars, quoted and plain scalars, comments. Anything else fails, and the
/// prompt is then treated as natural language, as Maestro does when PyYAML rejects it.
enum MiniYAML {
    struct Failure: Error {}

    private struct Line {
        var indent: Int
        var text: String
    }

    /// Parses a document into a ``JSONValue`` (mappings become objects in document order).
    static func parse(_ text: String) -> JSONValue? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { raw -> Line in
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            let indent = line.prefix { $0 == " " }.count
            return Line(indent: indent, text: String(line.dropFirst(indent)))
        }
        var index = 0
        do {
            skipBlank(lines, &index)
            guard index < lines.count else { return .null }
            let value = try parseBlock(lines, &index, indent: lines[index].indent)
            skipBlank(lines, &index)
            return index < lines.count ? nil : value
        } catch {
            return nil
        }
    }

    private static func isBlank(_ line: Line) -> Bool {
        line.text.isEmpty || line.text.hasPrefix("#") || line.text.allSatisfy { $0 == " " || $0 == "\t" }
    }

    private static func skipBlank(_ lines: [Line], _ index: inout Int) {
        while index < lines.count, isBlank(lines[index]) { index += 1 }
    }

    private static func parseBlock(_ lines: [Line], _ index: inout Int, indent: Int) throws -> JSONValue {
        skipBlank(lines, &index)
        guard index < lines.count else { return .null }
        if lines[index].text.hasPrefix("- ") || lines[index].text == "-" {
            return try parseSequence(lines, &index, indent: indent)
        }
        return try parseMapping(lines, &index, indent: indent)
    }

    private static func parseSequence(_ lines: [Line], _ index: inout Int, indent: Int) throws -> JSONValue {
        var items: [JSONValue] = []
        while true {
            skipBlank(lines, &index)
            guard index < lines.count, lines[index].indent == indent,
                lines[index].text.hasPrefix("- ") || lines[index].text == "-"
            else { break }
            let rest = String(lines[index].text.dropFirst(1)).trimmingWhitespace()
            index += 1
            if rest.isEmpty {
                skipBlank(lines, &index)
                if index < lines.count, lines[index].indent > indent {
                    items.append(try parseBlock(lines, &index, indent: lines[index].indent))
                } else {
                    items.append(.null)
                }
            } else if let colon = mappingColon(in: rest) {
                // `- key: value` starts an inline mapping item.
                var object = JSONObject()
                let key = unquote(String(rest[..<colon]))
                let valueText = String(rest[rest.index(after: colon)...]).trimmingWhitespace()
                object[key] = try scalarOrNested(valueText, lines, &index, parentIndent: indent + 2)
                skipBlank(lines, &index)
                if index < lines.count, lines[index].indent == indent + 2, !lines[index].text.hasPrefix("- ") {
                    if case .object(let more) = try parseMapping(lines, &index, indent: indent + 2) {
                        object.merge(more)
                    }
                }
                items.append(.object(object))
            } else {
                items.append(try flowOrScalar(rest))
            }
        }
        return .array(items)
    }

    private static func parseMapping(_ lines: [Line], _ index: inout Int, indent: Int) throws -> JSONValue {
        var object = JSONObject()
        while true {
            skipBlank(lines, &index)
            guard index < lines.count else { break }
            let line = lines[index]
            if line.indent < indent { break }
            guard line.indent == indent, let colon = mappingColon(in: line.text) else { throw Failure() }
            let key = unquote(String(line.text[..<colon]).trimmingWhitespace())
            let valueText = stripComment(String(line.text[line.text.index(after: colon)...])).trimmingWhitespace()
            index += 1
            object[key] = try scalarOrNested(valueText, lines, &index, parentIndent: indent)
        }
        return .object(object)
    }

    private static func scalarOrNested(
        _ valueText: String,
        _ lines: [Line],
        _ index: inout Int,
        parentIndent: Int
    ) throws
        -> JSONValue
    {
        if valueText == "|" || valueText == ">" || valueText.hasPrefix("|") || valueText.hasPrefix(">") {
            return .string(blockScalar(lines, &index, parentIndent: parentIndent, folded: valueText.hasPrefix(">")))
        }
        if valueText.isEmpty {
            skipBlank(lines, &index)
            if index < lines.count, lines[index].indent > parentIndent {
                return try parseBlock(lines, &index, indent: lines[index].indent)
            }
            if index < lines.count, lines[index].indent == parentIndent, lines[index].text.hasPrefix("- ") {
                return try parseSequence(lines, &index, indent: parentIndent)
            }
            return .null
        }
        return try flowOrScalar(valueText)
    }

    private static func blockScalar(_ lines: [Line], _ index: inout Int, parentIndent: Int, folded: Bool) -> String {
        var collected: [String] = []
        var blockIndent: Int?
        while index < lines.count {
            let line = lines[index]
            let blank = line.text.allSatisfy { $0 == " " || $0 == "\t" }
            if !blank {
                if line.indent <= parentIndent { break }
                if blockIndent == nil { blockIndent = line.indent }
                if line.indent < blockIndent! { break }
                collected.append(String(repeating: " ", count: line.indent - blockIndent!) + line.text)
            } else {
                collected.append("")
            }
            index += 1
        }
        while collected.last == "" { collected.removeLast() }
        let body = folded ? collected.joined(separator: " ") : collected.joined(separator: "\n")
        return body + "\n"
    }

    /// The index of the `:` that separates a key from its value (`key: v` or a trailing `key:`), outside quotes.
    private static func mappingColon(in text: String) -> String.Index? {
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                if index == text.startIndex { quote = character }
            } else if character == "[" || character == "{" {
                return nil
            } else if character == ":" {
                let next = text.index(after: index)
                if next == text.endIndex || text[next] == " " { return index }
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func stripComment(_ text: String) -> String {
        guard let hash = text.range(of: " #") else { return text }
        if text.contains("\"") || text.contains("'") { return text }
        return String(text[..<hash.lowerBound])
    }

    private static func unquote(_ text: String) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    private static func flowOrScalar(_ text: String) throws -> JSONValue {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("[") {
            guard trimmed.hasSuffix("]") else { throw Failure() }
            let inner = String(trimmed.dropFirst().dropLast())
            return .array(try splitFlow(inner).map { try flowOrScalar($0) })
        }
        if trimmed.hasPrefix("{") {
            guard trimmed.hasSuffix("}") else { throw Failure() }
            var object = JSONObject()
            for item in try splitFlow(String(trimmed.dropFirst().dropLast())) {
                guard let colon = item.firstIndex(of: ":") else { throw Failure() }
                object[unquote(String(item[..<colon]).trimmingWhitespace())] = try flowOrScalar(
                    String(item[item.index(after: colon)...])
                )
            }
            return .object(object)
        }
        return scalar(trimmed)
    }

    private static func splitFlow(_ text: String) throws -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in text {
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'":
                quote = character
                current.append(character)
            case "[", "{":
                depth += 1
                current.append(character)
            case "]", "}":
                depth -= 1
                if depth < 0 { throw Failure() }
                current.append(character)
            case "," where depth == 0:
                parts.append(current.trimmingWhitespace())
                current = ""
            default:
                current.append(character)
            }
        }
        if quote != nil || depth != 0 { throw Failure() }
        let last = current.trimmingWhitespace()
        if !last.isEmpty { parts.append(last) }
        return parts
    }

    private static func scalar(_ text: String) -> JSONValue {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return .string(String(text.dropFirst().dropLast()))
        }
        switch text.lowercased() {
        case "", "~", "null": return .null
        case "true", "yes", "on": return .bool(true)
        case "false", "no", "off": return .bool(false)
        default: break
        }
        if let integer = Int(text) { return .int(integer) }
        if let number = Double(text), text.contains(".") { return .double(number) }
        return .string(text)
    }
}
