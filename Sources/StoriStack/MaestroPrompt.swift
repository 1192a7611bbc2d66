import JSON

/// A prompt as Maestro's router sees it (service-contracts.md §2.3): a structured MAESTRO PROMPT, a STORI PROMPT
/// (rejected), or natural language.
enum PromptKind: Sendable, Equatable {
    case structured(MaestroPrompt)
    /// The first line was `STORI PROMPT` (any case): the stream answers 400 naming it.
    case storiHeader(found: String)
    case natural(String)

    /// Classifies prompt text.
    init(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let firstIndex = lines.firstIndex(where: { !$0.trimmingWhitespaceSubstring().isEmpty }) else {
            self = .natural(text)
            return
        }
        let first = lines[firstIndex].trimmingWhitespaceSubstring()
        if first.uppercased() == "STORI PROMPT" {
            self = .storiHeader(found: first)
            return
        }
        guard first == "MAESTRO PROMPT" else {
            self = .natural(text)
            return
        }
        let rest = lines[(firstIndex + 1)...].joined(separator: "\n")
        guard case .object(let mapping)? = MiniYAML.parse(rest), let prompt = MaestroPrompt(mapping: mapping) else {
            self = .natural(text)
            return
        }
        self = .structured(prompt)
    }
}

/// The routing fields of a MAESTRO PROMPT (keys case-insensitive).
struct MaestroPrompt: Sendable, Equatable {
    enum Mode: String, Sendable { case compose, edit, ask }

    var mode: Mode
    var section: String?
    var style: String?
    var key: String?
    var tempo: Int?
    var energy: String?
    var roles: [String]
    /// `Constraints.bars`, else a `bars` extension key, else `N bars` in Request, else 4.
    var bars: Int
    var request: String?
    var vibes: [String]
    /// Section names from `Form.structure` (or a `Form` list), in order.
    var formSections: [String]
    var target: String?

    init?(mapping: JSONObject) {
        var fields: [String: JSONValue] = [:]
        for (key, value) in mapping.members { fields[key.lowercased()] = value }
        guard let modeText = fields["mode"].flatMap(Self.text), let mode = Mode(rawValue: modeText.lowercased()) else {
            return nil
        }
        self.mode = mode
        section = fields["section"].flatMap(Self.text)
        style = fields["style"].flatMap(Self.text)
        key = fields["key"].flatMap(Self.text)
        energy = fields["energy"].flatMap(Self.text)
        target = fields["target"].flatMap(Self.text)
        request = fields["request"].flatMap(Self.text)
        if let tempoValue = fields["tempo"] {
            if let number = tempoValue.integerValue {
                tempo = number
            } else if let number = tempoValue.floatValue {
                tempo = Int(saturating: number.rounded())
            } else if case .string(let text) = tempoValue {
                tempo = Int(text.prefix { $0.isNumber })
            } else {
                tempo = nil
            }
        }
        roles = Self.list(fields["role"] ?? fields["roles"])
        vibes = Self.list(fields["vibe"])
        var bars: Int?
        if case .object(let constraints)? = fields["constraints"] {
            for (key, value) in constraints.members where key.lowercased() == "bars" { bars = value.intValue }
        }
        if bars == nil { bars = fields["bars"]?.intValue }
        if bars == nil, let request {
            let words = request.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            for (index, word) in words.enumerated().dropFirst() where word == "bars" || word == "bar" {
                if let number = Int(words[index - 1]) {
                    bars = number
                    break
                }
            }
        }
        self.bars = min(max(bars ?? 4, 1), 64)
        var sections: [String] = []
        switch fields["form"] {
        case .object(let form)?:
            for (key, value) in form.members where key.lowercased() == "structure" {
                sections = Self.list(value).flatMap {
                    $0.split(whereSeparator: { "-→>".contains($0) }).map(String.init)
                }
            }
        case .array?, .string?:
            sections = Self.list(fields["form"])
        default:
            break
        }
        formSections = sections.map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }.prefix(8).map { $0 }
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text.trimmingWhitespace()
        case .number: value.integerValue.map { String($0) } ?? value.floatValue.map(JSONValue.pythonFloat)
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    /// A YAML list, or a comma string, as trimmed strings; weights such as `dusty x3` or `dusty:3` stay attached.
    private static func list(_ value: JSONValue?) -> [String] {
        switch value {
        case .array(let items)?: items.compactMap(text).filter { !$0.isEmpty }
        case .string(let text)?:
            text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        default: []
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespaceSubstring() -> String {
        String(self).trimmingWhitespace()
    }
}
