import Foundation
import JSON
import Vocabulary

/// Structural comparison of JSON documents: their shape (which members exist, with which types) and their values,
/// with what ``DiffOptions/volatility`` calls volatile ignored.
struct JSONComparison {
    /// One value that differs.
    struct ValueChange {
        /// The concrete location, e.g. `$.params.notes[3].pitch`.
        var path: String
        /// The location with every array index as `[*]`, e.g. `$.params.notes[*].pitch`.
        var genericPath: String
        /// A's value (nil when the member is only in B).
        var before: JSONValue?
        /// B's value (nil when the member is only in A).
        var after: JSONValue?
        /// What changed.
        var message: String
    }

    /// One shape change: a member only on one side, or another set of types.
    struct ShapeChange {
        /// The location with every array index as `[*]`.
        var path: String
        /// A's types at that location, e.g. `number` or `null|string` (nil when absent).
        var before: String?
        /// B's types (nil when absent).
        var after: String?
        /// What changed.
        var message: String
    }

    /// The locations (array indexes as `[*]`) and the types found there, over one or more documents.
    struct Shape {
        var types: [String: Set<String>] = [:]
        /// Array locations that held at least one element: only they say anything about their elements' shape.
        var filledArrays: Set<String> = []
        var order: [String] = []

        mutating func add(_ value: JSONValue, at path: String = "$") {
            if types[path] == nil { order.append(path) }
            types[path, default: []].insert(JSONComparison.typeName(value))
            switch value {
            case .object(let object):
                for (key, member) in object.members { add(member, at: path + JSONComparison.step(key)) }
            case .array(let elements):
                if !elements.isEmpty { filledArrays.insert(path) }
                for element in elements { add(element, at: path + "[*]") }
            default:
                break
            }
        }
    }

    let options: DiffOptions

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// `.name`, or `['odd name']` when the name is not a plain identifier.
    static func step(_ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
            }
        return plain ? "." + key : "['" + key.replacingOccurrences(of: "'", with: "\\'") + "']"
    }

    /// The shape changes from `a` to `b`, topmost first: a member missing on one side is named once, not with
    /// everything below it, and the elements of an array that is empty on the other side are not compared.
    static func shapeChanges(_ a: Shape, _ b: Shape) -> [ShapeChange] {
        var changes: [ShapeChange] = []
        var reported: [String] = []
        let paths = a.order + b.order.filter { a.types[$0] == nil }
        for path in paths {
            if reported.contains(where: { path.hasPrefix($0) && Self.isBelow(path, $0) }) { continue }
            let before = a.types[path]
            let after = b.types[path]
            if before == after { continue }
            if before == nil || after == nil {
                let other = before == nil ? a : b
                if Self.isUnderUnfilledArray(path, in: other) { continue }
            }
            let beforeText = before.map { $0.sorted().joined(separator: "|") }
            let afterText = after.map { $0.sorted().joined(separator: "|") }
            let message: String
            switch (beforeText, afterText) {
            case (_?, nil): message = "member only in A"
            case (nil, _?): message = "member only in B"
            case (_?, _?): message = "type changed"
            case (nil, nil): continue
            }
            changes.append(ShapeChange(path: path, before: beforeText, after: afterText, message: message))
            if before == nil || after == nil { reported.append(path) }
        }
        return changes
    }

    private static func isBelow(_ path: String, _ ancestor: String) -> Bool {
        guard path.count > ancestor.count else { return false }
        let next = path[path.index(path.startIndex, offsetBy: ancestor.count)]
        return next == "." || next == "["
    }

    private static func isUnderUnfilledArray(_ path: String, in shape: Shape) -> Bool {
        var prefix = path
        while let range = prefix.range(of: "[*]", options: .backwards) {
            prefix = String(prefix[..<range.lowerBound])
            if shape.types[prefix]?.contains("array") == true && !shape.filledArrays.contains(prefix) { return true }
        }
        return false
    }

    /// Every value that differs from `a` to `b`, in document order; `limit` bounds the work on huge documents.
    func valueChanges(_ a: JSONValue, _ b: JSONValue, limit: Int) -> [ValueChange] {
        var changes: [ValueChange] = []
        compare(a, b, path: "$", generic: "$", location: [], into: &changes, limit: limit)
        return changes
    }

    private func compare(
        _ a: JSONValue,
        _ b: JSONValue,
        path: String,
        generic: String,
        location: [JSONPath.Component],
        into changes: inout [ValueChange],
        limit: Int
    ) {
        guard changes.count < limit, a != b, !options.volatility.isVolatile(location) else { return }
        switch (a, b) {
        case (.object(let left), .object(let right)):
            for (key, value) in left.members {
                let step = Self.step(key)
                if let other = right[key] {
                    compare(
                        value,
                        other,
                        path: path + step,
                        generic: generic + step,
                        location: location + [.key(key)],
                        into: &changes,
                        limit: limit
                    )
                } else if !options.volatility.isVolatile(location + [.key(key)]), changes.count < limit {
                    changes.append(
                        ValueChange(
                            path: path + step,
                            genericPath: generic + step,
                            before: value,
                            after: nil,
                            message: "only in A"
                        )
                    )
                }
            }
            for (key, value) in right.members
            where left[key] == nil && !options.volatility.isVolatile(location + [.key(key)]) {
                guard changes.count < limit else { return }
                let step = Self.step(key)
                changes.append(
                    ValueChange(
                        path: path + step,
                        genericPath: generic + step,
                        before: nil,
                        after: value,
                        message: "only in B"
                    )
                )
            }
        case (.array(let left), .array(let right)):
            if left.count != right.count {
                changes.append(
                    ValueChange(
                        path: path,
                        genericPath: generic,
                        before: .int(left.count),
                        after: .int(right.count),
                        message: "\(left.count) elements → \(right.count)"
                    )
                )
            }
            for index in 0..<min(left.count, right.count) {
                compare(
                    left[index],
                    right[index],
                    path: path + "[\(index)]",
                    generic: generic + "[*]",
                    location: location + [.index(index)],
                    into: &changes,
                    limit: limit
                )
            }
        case (.number(let left), .number(let right)):
            if let x = Double(left), let y = Double(right), x == y { return }
            changes.append(ValueChange(path: path, genericPath: generic, before: a, after: b, message: "changed"))
        case (.string(let left), .string(let right)):
            if options.volatility.equivalent(left, right) { return }
            changes.append(ValueChange(path: path, genericPath: generic, before: a, after: b, message: "changed"))
        default:
            changes.append(ValueChange(path: path, genericPath: generic, before: a, after: b, message: "changed"))
        }
    }
}
