import Foundation
import JSON
import Vocabulary

/// A run's MUSE commit graph, from `/log`, with the harness's symbolic names (`C1`, `B3`, `M2`, `X1`), in the
/// three shapes of the artifact tree: `graph.json`, `graph.txt` and `graph_viz.json`.
struct MuseGraphExport: Sendable {
    var runID: String
    var scenario: String
    var project: String
    var head: String?
    var nodes: [MuseNode]
    /// Variation id → symbolic name.
    var names: [String: String]

    private func label(_ id: String?) -> String {
        guard let id else { return "-" }
        return names[id] ?? String(id.prefix(8))
    }

    /// Writes the batch's `muse/graph.json`, `muse/graph.txt` and `muse/graph_viz.json` from the runs' own graphs,
    /// in the order given (run id order).
    static func writeAggregates(
        graphs: [JSONValue],
        visualisations: [JSONValue],
        texts: [String],
        to store: ArtifactStore
    ) throws(HarnessError) {
        try store.write(json: ["runs": .array(graphs)], to: ArtifactLayout.museGraphName)
        try store.write(texts.joined(separator: "\n"), to: ArtifactLayout.museGraphTextName)
        try store.write(json: ["runs": .array(visualisations)], to: ArtifactLayout.museGraphVisualisationName)
    }

    /// Nodes and edges with names and intents.
    var graphJSON: JSONValue {
        [
            "run_id": .string(runID), "scenario": .string(scenario), "project_id": .string(project),
            "head": head.map { .string($0) } ?? .null, "head_name": head.map { .string(label($0)) } ?? .null,
            "nodes": .array(
                nodes.map { node in
                    [
                        "id": .string(node.id), "name": .string(label(node.id)),
                        "parent": node.parent.map { .string($0) } ?? .null,
                        "parent2": node.parent2.map { .string($0) } ?? .null,
                        "is_head": .bool(node.isHead), "intent": node.intent.map { .string($0) } ?? .null,
                        "regions": .strings(node.regions),
                    ]
                }
            ),
        ]
    }

    /// One line per commit in log order: marker, name, intent, parents, HEAD.
    var text: String {
        var lines = ["\(runID) \(scenario) project \(project)"]
        for node in nodes {
            let marker = node.parent2 != nil ? "M" : "*"
            var line = "\(marker) \(label(node.id).padding(toLength: 4, withPad: " ", startingAt: 0)) "
            line += (node.intent ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0)
            if let parent = node.parent {
                line += " <- \(label(parent))"
                if let parent2 = node.parent2 { line += " + \(label(parent2))" }
            } else {
                line += " (root)"
            }
            if node.isHead { line += "  [HEAD]" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Nodes and edges for a visualisation.
    var vizJSON: JSONValue {
        var edges: [JSONValue] = []
        for node in nodes {
            if let parent = node.parent {
                edges.append(["from": .string(parent), "to": .string(node.id), "kind": "parent"])
            }
            if let parent2 = node.parent2 {
                edges.append(["from": .string(parent2), "to": .string(node.id), "kind": "merge"])
            }
        }
        return [
            "run_id": .string(runID),
            "nodes": .array(
                nodes.map {
                    [
                        "id": .string($0.id), "label": .string(label($0.id)),
                        "intent": $0.intent.map { .string($0) } ?? .null,
                        "is_head": .bool($0.isHead), "is_merge": .bool($0.parent2 != nil),
                    ]
                }
            ),
            "edges": .array(edges),
        ]
    }
}
