extension MuseGraph {
    /// The graph as text, one commit per line in commit order: `*` a commit, `M` a merge, its parents and HEAD.
    public var asciiRendering: String {
        let names = Dictionary(nodes.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let width = (nodes.map(\.name.count).max() ?? 2) + 1
        var lines = ["\(runID)"]
        for node in nodes {
            let marker = node.secondParent == nil ? "*" : "M"
            let parents = [node.parent, node.secondParent].compactMap { $0 }.map { names[$0] ?? String($0.prefix(8)) }
            let from = parents.isEmpty ? "(root)" : "<- " + parents.joined(separator: " + ")
            let head = node.isHead || node.id == head ? "  [HEAD]" : ""
            lines.append(
                "\(marker) " + node.name + String(repeating: " ", count: max(0, width - node.name.count)) + from + head
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The graph as a Mermaid flowchart (GitHub renders it in Markdown): merges as hexagons, HEAD highlighted.
    public var mermaidRendering: String {
        func label(_ text: String) -> String {
            text.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
                .map(String.init).joined()
        }
        var ids: [String: String] = [:]
        for (index, node) in nodes.enumerated() where ids[node.id] == nil { ids[node.id] = "n\(index)" }
        var lines = ["flowchart LR"]
        for node in nodes {
            let id = ids[node.id] ?? "n"
            let text = label(node.name) + (node.isHead || node.id == head ? " HEAD" : "")
            lines.append(node.secondParent == nil ? "    \(id)((\"\(text)\"))" : "    \(id){{\"\(text)\"}}")
        }
        for node in nodes {
            for (parent, arrow) in [(node.parent, "-->"), (node.secondParent, "-.->")] {
                guard let parent, let from = ids[parent], let to = ids[node.id] else { continue }
                lines.append("    \(from) \(arrow) \(to)")
            }
        }
        if let headNode = nodes.first(where: { $0.isHead || $0.id == head }), let id = ids[headNode.id] {
            lines.append("    style \(id) stroke-width:4px")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
