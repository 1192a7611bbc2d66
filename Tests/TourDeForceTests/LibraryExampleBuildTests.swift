import Foundation
import TestSupport
import Testing

/// The example package of Docs/library.md is what a user copies: it must say exactly what the repository builds,
/// and build as a package of its own against the `TourDeForce` product (its test runs in `LibraryExampleTests`).
@Suite struct LibraryExampleBuildTests {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    private static let example = repository + "/Examples/LibraryExample"

    /// Every file of the example appears whole in Docs/library.md, so the page cannot drift from what is built.
    @Test func theGuideShowsTheExampleAsBuilt() throws {
        let guide = try String(contentsOfFile: Self.repository + "/Docs/library.md", encoding: .utf8)
        for file in ["Package.swift", "Tests/LibraryExampleTests/BackendTests.swift"] {
            let text = try String(contentsOfFile: Self.example + "/" + file, encoding: .utf8)
            #expect(guide.contains("```swift\n" + text + "```\n"), "Docs/library.md does not show \(file) as it is")
        }
    }

    /// The example resolves `../tourdeforce` and builds its tests against the library product, as in a user's
    /// checkout: a copy of the repository's package sits next to a copy of the example.
    @Test(.timeLimit(.minutes(8))) func theExampleBuildsAsAPackageOfItsOwn() async throws {
        guard let swift = ExternalProcess.which("swift") else {
            Issue.record("no swift on the PATH to build the example with")
            return
        }
        let directory = try TemporaryDirectory()
        let checkout = directory.path("tourdeforce")
        let manager = FileManager.default
        try manager.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        for part in ["Package.swift", "Sources", "Tests", "Benchmarks", "Examples"] {
            try manager.copyItem(atPath: Self.repository + "/" + part, toPath: checkout + "/" + part)
        }
        try manager.copyItem(atPath: Self.example, toPath: directory.path("LibraryExample"))
        let build = try ExternalProcess(
            swift,
            ["build", "--build-tests", "--package-path", directory.path("LibraryExample"), "-j", "1"]
        )
        let status = await build.waitForExit()
        #expect(
            status == 0,
            "swift build of the example failed:\n\(build.standardOutput.suffix(3000))\(build.standardError.suffix(3000))"
        )
    }
}
