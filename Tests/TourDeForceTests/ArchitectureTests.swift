import Foundation
import Testing

/// Docs/architecture.md's import graph is the truth about the modules: a module that imports one the page does
/// not list for it (or stops importing one it lists) fails here, so the page is corrected with the code.
@Suite struct ArchitectureTests {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    /// Modules of the toolchain and the system, which the graph leaves out.
    private static let platform: Set<String> = [
        "Dispatch", "Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Synchronization",
    ]

    /// The `| module | imports |` rows of the page's "Import graph" table.
    private static func documentedGraph() throws -> [String: Set<String>] {
        let page = try String(contentsOfFile: repository + "/Docs/architecture.md", encoding: .utf8)
        guard let section = page.range(of: "## Import graph") else { return [:] }
        var graph: [String: Set<String>] = [:]
        for line in page[section.upperBound...].split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "")
            }
            guard cells.count >= 4, !cells[1].isEmpty, cells[1] != "module", !cells[1].hasPrefix("-") else { continue }
            let imports =
                cells[2] == "none"
                ? []
                : cells[2].split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
            graph[cells[1]] = Set(imports)
        }
        return graph
    }

    /// What each module under Sources/ imports, read from its files.
    private static func actualGraph() throws -> [String: Set<String>] {
        let manager = FileManager.default
        var graph: [String: Set<String>] = [:]
        for module in try manager.contentsOfDirectory(atPath: repository + "/Sources") {
            let directory = repository + "/Sources/" + module
            let swiftFiles = (manager.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter {
                $0.hasSuffix(".swift")
            }
            guard !swiftFiles.isEmpty else { continue }
            var imports: Set<String> = []
            for file in swiftFiles {
                let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ").map(String.init)
                    guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
                        words[..<index].allSatisfy({ $0.hasPrefix("@") || $0 == "public" || $0 == "internal" })
                    else { continue }
                    let name = words[index + 1]
                    if !platform.contains(name) { imports.insert(name) }
                }
            }
            graph[module] = imports
        }
        return graph
    }

    @Test func thePageListsExactlyWhatEachModuleImports() throws {
        let documented = try Self.documentedGraph()
        let actual = try Self.actualGraph()
        #expect(!documented.isEmpty, "Docs/architecture.md has no '## Import graph' table")
        for module in Set(documented.keys).union(actual.keys).sorted() {
            guard let imports = actual[module] else {
                Issue.record("Docs/architecture.md lists \(module), which is not a Swift module under Sources/")
                continue
            }
            guard let listed = documented[module] else {
                Issue.record("Docs/architecture.md's import graph has no row for \(module)")
                continue
            }
            let unlisted = imports.subtracting(listed).sorted()
            let stale = listed.subtracting(imports).sorted()
            #expect(unlisted.isEmpty, "\(module) imports \(unlisted), which Docs/architecture.md does not list")
            #expect(stale.isEmpty, "Docs/architecture.md lists \(stale) for \(module), which it does not import")
        }
    }

    /// The test bundle caps how many tests run at once (Tests/TestParallelism): without the cap, a 2-core machine
    /// failed a dozen unrelated tests on timeouts in every full run.
    @Test func theTestBundleCapsItsParallelism() {
        let width = ProcessInfo.processInfo.environment["SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH"]
        #expect(width.flatMap { Int($0) }.map { $0 > 0 } == true, "the cap is not set: \(width ?? "nil")")
    }
}
