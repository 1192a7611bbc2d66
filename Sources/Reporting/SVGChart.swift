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

    /// A horizontal bar chart of labelled values; `colors` gives each bar's colour (status colours), else `color`
    /// colours all, else the palette in turn.
    public static func bars(
        title: String,
        items: [(label: String, value: Double)],
        unit: String = "",
        color: String? = nil,
        colors: [String]? = nil
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
            let fill = colors?[index] ?? color ?? palette[index % palette.count]
            body += """
                <text x="\(labelWidth - 6)" y="\(y + 15)" text-anchor="end">\(escapeMarkup(String(item.label.prefix(48))))</text>
                <rect x="\(labelWidth)" y="\(y + 3)" width="\(width)" height="\(rowHeight - 6)" fill="\(fill)"/>
                <text x="\(labelWidth + width + 4)" y="\(y + 15)">\(escapeMarkup(formatNumber(item.value, digits: 2) + unit))</text>

                """
        }
        return document(width: labelWidth + barWidth + 90, height: height, title: title, body: body)
    }

    /// About `count` round values spanning `low...high` (steps of 1, 2 or 5 times a power of ten), for axis ticks.
    static func ticks(from low: Double, to high: Double, count: Int = 5) -> [Double] {
        guard high > low, count > 0 else { return [low] }
        let rough = (high - low) / Double(count)
        let power = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        var ticks: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high + step * 1e-9 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return ticks
    }

    /// A horizontal axis at `y` from `left` to `left + width` for values `low...high`: the line, ticks with labels
    /// (`unit` after each), and `caption` under it.
    private static func horizontalAxis(
        y: Int,
        left: Int,
        width: Int,
        range: (low: Double, high: Double),
        unit: String,
        caption: String
    ) -> String {
        let (low, high) = range
        var body = "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + width)\" y2=\"\(y)\" stroke=\"#333\"/>\n"
        for tick in ticks(from: low, to: high) {
            let x = Double(left) + Double(width) * (tick - low) / (high - low)
            body +=
                "<line x1=\"\(formatNumber(x))\" y1=\"\(y)\" x2=\"\(formatNumber(x))\" y2=\"\(y + 4)\" stroke=\"#333\"/>"
                + "<text x=\"\(formatNumber(x))\" y=\"\(y + 15)\" text-anchor=\"middle\" font-size=\"10\">"
                + "\(escapeMarkup(formatNumber(tick, digits: 2) + unit))</text>\n"
        }
        body +=
            "<text x=\"\(left + width / 2)\" y=\"\(y + 29)\" text-anchor=\"middle\" fill=\"#555\">"
            + "\(escapeMarkup(caption))</text>\n"
        return body
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
        let height = 260
        let plotTop = 44
        let plotBottom = height - 46
        let plotLeft = 44
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
        var body = horizontalAxis(
            y: plotBottom,
            left: plotLeft,
            width: plotWidth,
            range: (low, high),
            unit: unit,
            caption: "\(values.count) values, \(bins) bins of \(formatNumber(span / Double(bins), digits: 2))\(unit)"
        )
        body += "<line x1=\"\(plotLeft)\" y1=\"\(plotTop)\" x2=\"\(plotLeft)\" y2=\"\(plotBottom)\" stroke=\"#333\"/>\n"
        for tick in ticks(from: 0, to: Double(tallest), count: 4) where tick == tick.rounded() {
            let y = Double(plotBottom) - Double(plotBottom - plotTop) * tick / Double(tallest)
            body +=
                "<line x1=\"\(plotLeft - 4)\" y1=\"\(formatNumber(y))\" x2=\"\(plotLeft)\" y2=\"\(formatNumber(y))\" "
                + "stroke=\"#333\"/><text x=\"\(plotLeft - 6)\" y=\"\(formatNumber(y + 4))\" text-anchor=\"end\" "
                + "font-size=\"10\">\(Int(tick))</text>\n"
        }
        body +=
            "<text x=\"12\" y=\"\((plotTop + plotBottom) / 2)\" font-size=\"10\" fill=\"#555\" "
            + "transform=\"rotate(-90 12 \((plotTop + plotBottom) / 2))\" text-anchor=\"middle\">count</text>\n"
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
        return document(width: width, height: height, title: title, body: body)
    }

    /// A waterfall of a run's steps: each bar starts where the previous step ended. `scaleMilliseconds` fixes the
    /// time axis, so waterfalls drawn side by side share one scale; by default it is the run's own length.
    public static func waterfall(title: String, steps: [RunStep], scaleMilliseconds: Double? = nil) -> String {
        let rowHeight = 16
        let labelWidth = 170
        let plotWidth = 480
        let ownTotal = steps.map(\.durationMilliseconds).reduce(0, +)
        let total = max(scaleMilliseconds ?? ownTotal, ownTotal, 1e-9)
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
        let axisY = 32 + steps.count * rowHeight
        body += horizontalAxis(
            y: axisY,
            left: labelWidth,
            width: plotWidth,
            range: (0, total),
            unit: " ms",
            caption: "time since the run started"
        )
        return document(width: labelWidth + plotWidth + 80, height: axisY + 36, title: title, body: body)
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
        let axisY = 34 + types.count * laneHeight
        body += horizontalAxis(
            y: axisY,
            left: labelWidth,
            width: plotWidth,
            range: (0, end),
            unit: " ms",
            caption: "time since the request"
        )
        return document(width: width, height: axisY + 36, title: title, body: body)
    }

    /// The MUSE commit DAG of one run: commits by depth left to right, merges as diamonds, HEAD ringed and
    /// labelled. Edges run from parent to child with an arrowhead, through the gaps between rows and columns so
    /// they never cross a commit; `refusedMerges` (a 409 `merge_conflict`, by branch names) are drawn as red
    /// dashed links marked ✕ between the two branches, which are red.
    public static func museGraph(
        title: String,
        graph: MuseGraph,
        refusedMerges: [(left: String, right: String)]
    ) -> String {
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
        let height = 104 + (lanes.values.max() ?? 1) * rowHeight
        var body = ""
        let gap = 14  // half the free space between columns, where vertical runs go
        for node in graph.nodes {
            guard let to = position[node.id] else { continue }
            for (parent, dashed) in [(node.parent, false), (node.secondParent, true)] {
                guard let parent, let from = position[parent], byID[parent] != nil else { continue }
                let path: String
                if from.y == to.y, to.x - from.x == columnWidth {
                    path = "M\(from.x + 10),\(from.y) L\(to.x - 11),\(to.y)"
                } else {
                    // Down (or up) into the channel between rows, along it, then into the child from its left.
                    let channel = to.y >= from.y ? from.y + rowHeight / 2 : from.y - rowHeight / 2
                    path =
                        "M\(from.x + 10),\(from.y) L\(from.x + gap),\(from.y) L\(from.x + gap),\(channel) "
                        + "L\(to.x - gap - 4),\(channel) L\(to.x - gap - 4),\(to.y) L\(to.x - 11),\(to.y)"
                }
                // Every edge enters its child from the left, so the arrowhead is drawn in place (a marker would need
                // an id the page's other inline graphs could clash with).
                body +=
                    "<path d=\"\(path)\" fill=\"none\" stroke=\"#888\"" + (dashed ? " stroke-dasharray=\"4 3\"" : "")
                    + "/><polygon points=\"\(to.x - 11),\(to.y) \(to.x - 18),\(to.y - 4) \(to.x - 18),\(to.y + 4)\" "
                    + "fill=\"#666\"/>\n"
            }
        }
        let byName = Dictionary(graph.nodes.map { ($0.name, $0.id) }, uniquingKeysWith: { _, last in last })
        let refusedSides = Set(refusedMerges.flatMap { [$0.left, $0.right] })
        for refused in refusedMerges {
            guard let left = byName[refused.left].flatMap({ position[$0] }),
                let right = byName[refused.right].flatMap({ position[$0] })
            else { continue }
            let middle = ((left.x + right.x) / 2, (left.y + right.y) / 2)
            body +=
                "<line x1=\"\(left.x)\" y1=\"\(left.y)\" x2=\"\(right.x)\" y2=\"\(right.y)\" stroke=\"#e15759\" "
                + "stroke-width=\"2\" stroke-dasharray=\"2 3\"><title>"
                + escapeMarkup("merge of \(refused.left) and \(refused.right) refused: 409 merge_conflict")
                + "</title></line>\n<text x=\"\(middle.0)\" y=\"\(middle.1 + 5)\" text-anchor=\"middle\" "
                + "fill=\"#b91c1c\" font-size=\"16\" font-weight=\"bold\">✕</text>\n"
        }
        for node in graph.nodes {
            guard let point = position[node.id] else { continue }
            let isHead = node.isHead || node.id == graph.head
            let isMerge = node.secondParent != nil
            let isConflict = refusedSides.contains(node.name)
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
            "<text x=\"8\" y=\"\(height - 24)\" font-size=\"10\" fill=\"#555\">● commit  ◆ merge (dashed arrow: "
            + "second parent)  → parent to child  ring: HEAD</text>\n"
            + "<text x=\"8\" y=\"\(height - 10)\" font-size=\"10\" fill=\"#555\">red ✕ link: a merge MUSE refused "
            + "with a conflict, between its two branches (red)</text>\n"
        return document(width: max(width, 460), height: height, title: title, body: body)
    }

    /// A piano roll: time in beats left to right (a tick every bar of 4 beats), pitch bottom to top (every C
    /// named), one colour per track with a legend, opacity by velocity.
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
        func color(_ track: Int) -> String { palette[track % palette.count] }
        var body =
            "<rect x=\"\(plotLeft)\" y=\"\(plotTop)\" width=\"\(plotWidth)\" height=\"\(formatNumber(plotHeight))\" "
            + "fill=\"#f3f4f6\"/>\n"
        for pitch in low...high where pitch % 12 == 0 {
            let y = Double(plotTop) + Double(high - pitch) * rowHeight
            body +=
                "<line x1=\"\(plotLeft)\" y1=\"\(formatNumber(y + rowHeight))\" x2=\"\(plotLeft + plotWidth)\" "
                + "y2=\"\(formatNumber(y + rowHeight))\" stroke=\"#d1d5db\"/><text x=\"\(plotLeft - 4)\" "
                + "y=\"\(formatNumber(y + rowHeight))\" text-anchor=\"end\" font-size=\"10\">C\(pitch / 12 - 1)</text>\n"
        }
        for note in notes {
            let x = Double(plotLeft) + Double(plotWidth) * note.startBeat / end
            let y = Double(plotTop) + Double(high - note.pitch) * rowHeight
            let width = max(1.5, Double(plotWidth) * note.durationBeats / end)
            let opacity = 0.35 + 0.65 * Double(min(max(note.velocity, 1), 127)) / 127
            body +=
                "<rect x=\"\(formatNumber(x))\" y=\"\(formatNumber(y))\" width=\"\(formatNumber(width))\" "
                + "height=\"\(formatNumber(rowHeight))\" fill=\"\(color(note.track))\" "
                + "fill-opacity=\"\(formatNumber(opacity, digits: 2))\"/>\n"
        }
        let axisY = Int(Double(plotTop) + plotHeight.rounded(.up)) + 2
        let bars = ticks(from: 0, to: end / 4, count: 8).filter { $0 == $0.rounded() }
        body +=
            "<line x1=\"\(plotLeft)\" y1=\"\(axisY)\" x2=\"\(plotLeft + plotWidth)\" y2=\"\(axisY)\" stroke=\"#333\"/>\n"
        for bar in bars {
            let x = Double(plotLeft) + Double(plotWidth) * bar * 4 / end
            body +=
                "<line x1=\"\(formatNumber(x))\" y1=\"\(axisY)\" x2=\"\(formatNumber(x))\" y2=\"\(axisY + 4)\" "
                + "stroke=\"#333\"/><text x=\"\(formatNumber(x))\" y=\"\(axisY + 15)\" text-anchor=\"middle\" "
                + "font-size=\"10\">\(Int(bar) + 1)</text>\n"
        }
        body +=
            "<text x=\"\(plotLeft + plotWidth / 2)\" y=\"\(axisY + 29)\" text-anchor=\"middle\" fill=\"#555\" "
            + "font-size=\"11\">bar (4 beats), \(notes.count) notes over \(formatNumber(end)) beats</text>\n"
        var legendY = axisY + 48
        var legendX = plotLeft
        for (index, name) in roll.tracks.enumerated() {
            let label = String(name.prefix(40))
            let itemWidth = 26 + label.count * 7
            if legendX + itemWidth > width - 12, legendX > plotLeft {
                legendX = plotLeft
                legendY += 18
            }
            body +=
                "<rect x=\"\(legendX)\" y=\"\(legendY - 10)\" width=\"12\" height=\"12\" fill=\"\(color(index))\"/>"
                + "<text x=\"\(legendX + 16)\" y=\"\(legendY)\" font-size=\"11\">\(escapeMarkup(label))</text>\n"
            legendX += itemWidth
        }
        return document(width: width, height: legendY + 10, title: title, body: body)
    }
}
