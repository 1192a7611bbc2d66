// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "TourDeForce",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tdf", targets: ["tdf"]),
        .library(name: "TourDeForce", targets: ["TourDeForce"]),
    ],
    targets: [
        // C doors: each system library is imported by exactly one Swift module.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // Linux headers Swift's Glibc module leaves out (epoll, accept4); no library to link.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        .target(name: "Vocabulary"),
        // The SHA-256 block function on the CPU's SHA instructions; Hashing falls back to Swift without them.
        .target(name: "CSHA256", path: "Sources/CSHA256"),
        .target(name: "Hashing", dependencies: ["CSHA256"]),
        .target(name: "JSON"),
        .target(name: "Gzip", dependencies: ["Vocabulary", "CZlib"]),
        .target(name: "HTTPWire"),
        .target(name: "Sockets", dependencies: ["CLinux"]),
        .target(name: "HTTPTransport", dependencies: ["Sockets", "HTTPWire"]),
        // The only module that imports FoundationNetworking: TLS to upstreams through the system's libcurl.
        .target(name: "HTTPSClient", dependencies: ["HTTPTransport", "HTTPWire"]),
        .target(name: "MIDI"),
        .target(name: "Cassettes", dependencies: ["Vocabulary", "CLinux", "JSON", "HTTPWire", "Gzip", "Hashing"]),
        .target(
            name: "RecordingProxy",
            dependencies: ["Vocabulary", "Cassettes", "JSON", "HTTPTransport", "HTTPSClient", "HTTPWire", "Sockets"]
        ),
        .target(
            name: "StoriStack",
            dependencies: ["Vocabulary", "JSON", "HTTPTransport", "HTTPWire", "MIDI", "Hashing"]
        ),
        .target(
            name: "Harness",
            dependencies: ["Vocabulary", "JSON", "HTTPTransport", "HTTPWire", "MIDI", "Hashing", "Gzip"]
        ),
        .target(
            name: "Analysis",
            dependencies: ["Vocabulary", "Cassettes", "HTTPWire", "MIDI", "JSON", "Hashing", "Gzip"]
        ),
        .target(name: "Reporting", dependencies: ["Vocabulary", "Analysis", "CSQLite", "JSON"]),
        .target(
            name: "TourDeForce",
            dependencies: [
                "Analysis", "Cassettes", "HTTPTransport", "HTTPWire", "Harness", "JSON", "MIDI", "RecordingProxy",
                "Reporting", "Sockets", "StoriStack", "Vocabulary",
            ]
        ),
        .target(name: "CommandLineKit", dependencies: ["Vocabulary"]),
        .target(
            name: "TourDeForceCLI",
            dependencies: [
                "CommandLineKit", "TourDeForce", "Sockets",
            ]
        ),
        .executableTarget(name: "tdf", dependencies: ["CommandLineKit", "TourDeForceCLI"]),
        .executableTarget(
            name: "HelloServer",
            dependencies: ["HTTPTransport", "HTTPWire"],
            path: "Benchmarks/HelloServer"
        ),

        // Loaded into the test bundle only: caps how many tests run at once (Tests/TestParallelism/TestParallelism.c).
        .target(name: "TestParallelism", path: "Tests/TestParallelism"),
        .target(name: "TestSupport", dependencies: ["TestParallelism"], path: "Tests/TestSupport"),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "GzipTests", dependencies: ["Gzip", "Vocabulary", "TestSupport"]),
        .testTarget(name: "HTTPWireTests", dependencies: ["HTTPWire", "TestSupport"]),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets", "TestSupport"]),
        .testTarget(
            name: "HTTPTransportTests",
            dependencies: ["HTTPTransport", "Sockets", "HTTPWire", "TestSupport"]
        ),
        .testTarget(name: "MIDITests", dependencies: ["MIDI", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "CassettesTests",
            dependencies: ["Cassettes", "Vocabulary", "JSON", "HTTPWire", "Gzip", "Hashing", "TestSupport"]
        ),
        .testTarget(
            name: "RecordingProxyTests",
            dependencies: [
                "RecordingProxy", "Cassettes", "Vocabulary", "JSON", "HTTPTransport", "HTTPWire", "Sockets", "Gzip",
                "TestSupport",
            ]
        ),
        .testTarget(
            name: "StoriStackTests",
            dependencies: [
                "StoriStack", "JSON", "HTTPTransport", "HTTPWire", "MIDI", "Hashing", "Cassettes", "TestSupport",
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "HarnessTests",
            dependencies: [
                "Harness", "Vocabulary", "JSON", "StoriStack", "RecordingProxy", "Cassettes",
                "HTTPTransport", "HTTPWire", "Sockets", "MIDI", "Gzip", "TestSupport",
            ]
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "Cassettes", "Vocabulary", "HTTPWire", "JSON", "MIDI", "Gzip", "TestSupport"]
        ),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Analysis", "TestSupport"]),
        // The example of Docs/library.md, compiled against the library here; TourDeForceTests also builds it as the
        // separate package it is.
        .testTarget(
            name: "LibraryExampleTests",
            dependencies: ["TourDeForce"],
            path: "Examples/LibraryExample/Tests/LibraryExampleTests"
        ),
        .testTarget(name: "CommandLineKitTests", dependencies: ["CommandLineKit", "TestSupport"]),
        .testTarget(
            name: "TourDeForceTests",
            dependencies: ["TourDeForce", "Sockets", "TestSupport"]
        ),
        .testTarget(
            name: "TourDeForceCLITests",
            dependencies: [
                "TourDeForceCLI", "CommandLineKit", "TourDeForce", "Analysis", "Harness", "StoriStack", "RecordingProxy",
                "Cassettes", "Reporting", "HTTPTransport", "HTTPWire", "JSON", "Gzip", "Sockets", "MIDI", "TestSupport",
            ]
        ),
    ]
)

// One place sets the strictness of every Swift target (system library targets take no settings).
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.treatAllWarnings(as: .error))
    target.swiftSettings = settings
}
