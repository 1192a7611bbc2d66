public import Analysis
import Foundation
import JSON

/// Escapes text for HTML and XML content and attribute values: `&`, `<`, `>`, `"` and `'`.
public func escapeMarkup(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default:
            // Control characters other than tab and newline are not allowed in XML 1.0.
            if character.value < 0x20 && character != "\n" && character != "\t" && character != "\r" {
                out += "\u{FFFD}"
            } else {
                out.unicodeScalars.append(character)
            }
        }
    }
    return out
}

/// Formats a number for a chart or a table: at most `digits` decimals, no trailing zeros.
func formatNumber(_ value: Double, digits: Int = 1) -> String {
    guard value.isFinite else { return "-" }
    var text = String(format: "%.\(digits)f", value)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}

/// SVG charts drawn here (no script, no font file, no image): every label is escaped.
public enum SVGChart {
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"]

    private static func document(width: Int, height: Int, title: String, body: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        role="img" aria-label="\(escapeMarkup(title))" font-family="sans-serif" font-size="12">
        <title>\(escapeMarkup(title))</title>
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="8" y="18" font-size="14" font-weight="bold">\(escapeMarkup(title))</text>
        \(body)</svg>
        """
    }

    /// A horizontal bar chart of labelled values.
    public static func bars(
        title: String,
        items: [(label: String, value: Double)],
        unit: String = "",
        color: String? = nil
    ) -> String {
        let rowHeight = 22
        let labelWidth = 300
        let barWidth = 360
        let height = 34 + max(items.count, 1) * rowHeight + 8
        let maximum = max(items.map(\.value).max() ?? 0, 1e-9)
        var body = ""
        if items.isEmpty { body += "<text x=\"8\" y=\"44\" fill=\"#777\">no data</text>\n" }
        for (index, item) in items.enumerated() {
            let y = 30 + index * rowHeight
            let width = max(1, Int(saturating: Double(barWidth) * item.value / maximum))
            let fill = color ?? palette[index % palette.count]
            body += """
                <text x="\(labelWidth - 6)" y="\(y + 15)" text-anchor="end">\(escapeMarkup(String(item.label.prefix(48))))</text>
                <rect x="\(labelWidth)" y="\(y + 3)" width="\(width)" height="\(rowHeight - 6)" fill="\(fill)"/>
                <text x="\(labelWidth + width + 4)" y="\(y + 15)">\(escapeMarkup(formatNumber(item.value, digits: 2) + unit))</text>

                """
        }
        return document(width: labelWidth + barWidth + 90, height: height, title: title, body: body)
    }

    /// A histogram of `values` in `bins` equal-width bins.
    /// `range` fixes the axis (e.g. 0...100 for scores); by default it spans the values.
    public static func histogram(
        title: String,
        values: [Double],
        bins: Int = 10,
        unit: String = "",
        range: ClosedRange<Double>? = nil
    ) -> String {
        let width = 620
        let height = 250
        let plotTop = 44
        let plotBottom = height - 36
        let plotLeft = 40
        let plotWidth = width - plotLeft - 16
        guard let smallest = values.min(), let largest = values.max() else {
            return document(
                width: width,
                height: 80,
                title: title,
                body: "<text x=\"8\" y=\"44\" fill=\"#777\">no data</text>\n"
            )
        }
        var low = range?.lowerBound ?? smallest
        var high = range?.upperBound ?? largest
        if high <= low {  // every value equal: centre them in a unit-wide axis
            low -= 0.5
            high += 0.5
        }
        let span = high - low
        var counts = Array(repeating: 0, count: bins)
        for value in values {
            let bin = min(bins - 1, max(0, Int(saturating: (value - low) / span * Double(bins))))
            counts[bin] += 1
        }
        let tallest = max(counts.max() ?? 1, 1)
        let binWidth = Double(plotWidth) / Double(bins)
        var body =
            "<line x1=\"\(plotLeft)\" y1=\"\(plotBottom)\" x2=\"\(width - 16)\" y2=\"\(plotBottom)\" stroke=\"#333\"/>\n"
        for (index, count) in counts.enumerated() {
            let barHeight = Double(plotBottom - plotTop) * Double(count) / Double(tallest)
            let x = Double(plotLeft) + Double(index) * binWidth
            body +=
                "<rect x=\"\(formatNumber(x + 1))\" y=\"\(formatNumber(Double(plotBottom) - barHeight))\" "
                + "width=\"\(formatNumber(binWidth - 2))\" height=\"\(formatNumber(barHeight))\" fill=\"#4e79a7\">"
                + "<title>\(count)</title></rect>\n"
            if count > 0 {
                body +=
                    "<text x=\"\(formatNumber(x + binWidth / 2))\" y=\"\(formatNumber(Double(plotBottom) - barHeight - 3))\" "
                    + "text-anchor=\"middle\" font-size=\"10\">\(count)</text>\n"
            }
        }
        body +=
            "<text x=\"\(plotLeft)\" y=\"\(plotBottom + 16)\">\(escapeMarkup(formatNumber(low, digits: 2) + unit))</text>\n"
        body +=
            "<text x=\"\(width - 16)\" y=\"\(plotBottom + 16)\" text-anchor=\"end\">"
            + "\(escapeMarkup(formatNumber(high, digits: 2) + unit))</text>\n"
        body +=
            "<text x=\"\(width / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\" fill=\"#555\">"
            + "\(values.count) values</text>\n"
        return document(width: width, height: height, title: title, body: body)
    }

    /// A waterfall of a run's steps: each bar starts where the previous step ended.
    public static func waterfall(title: String, steps: [RunStep]) -> String {
        let rowHeight = 16
        let labelWidth = 170
        let plotWidth = 480
        let total = max(steps.map(\.durationMilliseconds).reduce(0, +), 1e-9)
        var body = ""
        var start = 0.0
        for (index, step) in steps.enumerated() {
            let y = 28 + index * rowHeight
            let x = Double(labelWidth) + Double(plotWidth) * start / total
            let width = max(1.5, Double(plotWidth) * step.durationMilliseconds / total)
            let fill = step.status == "ok" ? "#59a14f" : "#e15759"
            body += """
                <text x="\(labelWidth - 4)" y="\(y + 12)" text-anchor="end" font-size="11">\(escapeMarkup(step.name))</text>
                <rect x="\(formatNumber(x))" y="\(y + 2)" width="\(formatNumber(width))" height="\(rowHeight - 4)" fill="\(fill)">\
                <title>\(escapeMarkup("\(step.name): \(step.status), \(formatNumber(step.durationMilliseconds)) ms"))</title></rect>
                <text x="\(formatNumber(x + width + 3))" y="\(y + 12)" font-size="10">\(formatNumber(step.durationMilliseconds)) ms</text>

                """
            start += step.durationMilliseconds
        }
        return document(
            width: labelWidth + plotWidth + 80,
            height: 36 + steps.count * rowHeight,
            title: title,
            body: body
        )
    }

    /// The SSE timeline of one stream: a tick per frame, coloured by type, over time.
    public static func timeline(title: String, frames: [StreamFrame]) -> String {
        let width = 700
        let types = Array(Set(frames.map(\.type))).sorted()
        let laneHeight = 18
        let labelWidth = 150
        let plotWidth = width - labelWidth - 20
        let end = max(frames.map(\.atMilliseconds).max() ?? 1, 1e-9)
        var body = ""
        for (lane, type) in types.enumerated() {
            let y = 30 + lane * laneHeight
            body +=
                "<text x=\"\(labelWidth - 4)\" y=\"\(y + 12)\" text-anchor=\"end\" font-size=\"11\">\(escapeMarkup(type))</text>\n"
            for frame in frames where frame.type == type {
                let x = Double(labelWidth) + Double(plotWidth) * frame.atMilliseconds / end
                body +=
                    "<rect x=\"\(formatNumber(x))\" y=\"\(y + 2)\" width=\"2\" height=\"\(laneHeight - 4)\" "
                    + "fill=\"\(palette[lane % palette.count])\"/>\n"
            }
        }
        let axisY = 30 + types.count * laneHeight + 14
        body += "<text x=\"\(labelWidth)\" y=\"\(axisY)\" font-size=\"10\">0 ms</text>\n"
        body +=
            "<text x=\"\(width - 20)\" y=\"\(axisY)\" text-anchor=\"end\" font-size=\"10\">\(formatNumber(end)) ms</text>\n"
        return document(width: width, height: axisY + 8, title: title, body: body)
    }

    /// The MUSE commit DAG of one run: commits by depth left to right, merges as diamonds, conflict sides in red,
    /// HEAD ringed and labelled.
    public static func museGraph(title: String, graph: MuseGraph, conflictSides: Set<String>) -> String {
        let byID = Dictionary(graph.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var depth: [String: Int] = [:]
        for node in graph.nodes {  // parents come before children in commit order
            let parents = [node.parent, node.secondParent].compactMap { $0 }
            depth[node.id] = (parents.compactMap { depth[$0] }.max() ?? -1) + 1
        }
        var lanes: [Int: Int] = [:]
        var position: [String: (x: Int, y: Int)] = [:]
        let columnWidth = 70
        let rowHeight = 34
        for node in graph.nodes {
            let column = depth[node.id] ?? 0
            let row = lanes[column, default: 0]
            lanes[column] = row + 1
            position[node.id] = (30 + column * columnWidth, 62 + row * rowHeight)
        }
        let width = 60 + ((depth.values.max() ?? 0) + 1) * columnWidth
        let height = 88 + (lanes.values.max() ?? 1) * rowHeight
        var body = ""
        for node in graph.nodes {
            guard let to = position[node.id] else { continue }
            for (parent, dashed) in [(node.parent, false), (node.secondParent, true)] {
                guard let parent, let from = position[parent], byID[parent] != nil else { continue }
                body +=
                    "<line x1=\"\(from.x)\" y1=\"\(from.y)\" x2=\"\(to.x)\" y2=\"\(to.y)\" stroke=\"#888\""
                    + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>\n"
            }
        }
        for node in graph.nodes {
            guard let point = position[node.id] else { continue }
            let isHead = node.isHead || node.id == graph.head
            let isMerge = node.secondParent != nil
            let isConflict = conflictSides.contains(node.name)
            let fill = isConflict ? "#e15759" : isMerge ? "#f28e2b" : node.parent == nil ? "#59a14f" : "#4e79a7"
            let tooltip = escapeMarkup("\(node.name) \(node.intent) \(node.id)")
            if isMerge {
                body +=
                    "<polygon points=\"\(point.x),\(point.y - 10) \(point.x + 10),\(point.y) \(point.x),\(point.y + 10) "
                    + "\(point.x - 10),\(point.y)\" fill=\"\(fill)\"><title>\(tooltip)</title></polygon>\n"
            } else {
                body +=
                    "<circle cx=\"\(point.x)\" cy=\"\(point.y)\" r=\"8\" fill=\"\(fill)\"><title>\(tooltip)</title></circle>\n"
            }
            if isHead {
                body +=
                    "<circle cx=\"\(point.x)\" cy=\"\(point.y)\" r=\"13\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>\n"
                body +=
                    "<text x=\"\(point.x)\" y=\"\(point.y - 16)\" text-anchor=\"middle\" font-weight=\"bold\">HEAD</text>\n"
            }
            body +=
                "<text x=\"\(point.x + 12)\" y=\"\(point.y + 16)\" font-size=\"10\">\(escapeMarkup(node.name))</text>\n"
        }
        body +=
            "<text x=\"8\" y=\"\(height - 8)\" font-size=\"10\" fill=\"#555\">● commit  ◆ merge (dashed: second parent)  "
            + "red: conflicting branches  ring: HEAD</text>\n"
        return document(width: max(width, 420), height: height, title: title, body: body)
    }

    /// A piano roll: time in beats left to right, pitch bottom to top, drums in grey, opacity by velocity.
    public static func pianoRoll(title: String, roll: PianoRoll) -> String {
        let width = 760
        let plotLeft = 40
        let plotTop = 30
        let plotWidth = width - plotLeft - 12
        let notes = roll.notes
        let low = max(0, (notes.map(\.pitch).min() ?? 60) - 1)
        let high = min(127, (notes.map(\.pitch).max() ?? 72) + 1)
        let rowHeight = max(2.0, min(8.0, 320.0 / Double(high - low + 1)))
        let plotHeight = rowHeight * Double(high - low + 1)
        let end = max(notes.map { $0.startBeat + $0.durationBeats }.max() ?? 1, 1e-9)
        var body =
            "<rect x=\"\(plotLeft)\" y=\"\(plotTop)\" width=\"\(plotWidth)\" height=\"\(formatNumber(plotHeight))\" "
            + "fill=\"#f3f4f6\"/>\n"
        for note in notes {
            let x = Double(plotLeft) + Double(plotWidth) * note.startBeat / end
            let y = Double(plotTop) + Double(high - note.pitch) * rowHeight
            let width = max(1.5, Double(plotWidth) * note.durationBeats / end)
            let opacity = 0.35 + 0.65 * Double(min(max(note.velocity, 1), 127)) / 127
            body +=
                "<rect x=\"\(formatNumber(x))\" y=\"\(formatNumber(y))\" width=\"\(formatNumber(width))\" "
                + "height=\"\(formatNumber(rowHeight))\" fill=\"\(note.isDrum ? "#6b7280" : "#4e79a7")\" "
                + "fill-opacity=\"\(formatNumber(opacity, digits: 2))\"/>\n"
        }
        let axisY = Double(plotTop) + plotHeight + 14
        body +=
            "<text x=\"\(plotLeft - 4)\" y=\"\(plotTop + 10)\" text-anchor=\"end\" font-size=\"10\">\(high)</text>\n"
        body +=
            "<text x=\"\(plotLeft - 4)\" y=\"\(formatNumber(Double(plotTop) + plotHeight))\" text-anchor=\"end\" "
            + "font-size=\"10\">\(low)</text>\n"
        body += "<text x=\"\(plotLeft)\" y=\"\(formatNumber(axisY))\" font-size=\"10\">beat 0</text>\n"
        body +=
            "<text x=\"\(width - 12)\" y=\"\(formatNumber(axisY))\" text-anchor=\"end\" font-size=\"10\">"
            + "beat \(formatNumber(end)) · \(notes.count) notes</text>\n"
        return document(width: width, height: Int(axisY) + 8, title: title, body: body)
    }
}
