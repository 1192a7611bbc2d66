// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "TourDeForce",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tdf", targets: ["tdf"])
    ],
    targets: [
        // C doors: each system library is imported by exactly one Swift module.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // Linux headers Swift's Glibc module leaves out (epoll, accept4); no library to link.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        .target(name: "Hashing"),
        .target(name: "JSON"),
        .target(name: "Gzip", dependencies: ["CZlib"]),
        .target(name: "HTTPWire"),
        .target(name: "Sockets", dependencies: ["CLinux"]),
        .target(name: "HTTPTransport", dependencies: ["Sockets", "HTTPWire"]),
        .target(name: "MIDI"),
        .target(name: "Cassettes", dependencies: ["CLinux", "JSON", "HTTPWire", "Gzip", "Hashing"]),
        .target(name: "RecordingProxy", dependencies: ["Cassettes", "JSON", "HTTPTransport", "HTTPWire", "Sockets"]),
        .target(name: "StoriStack", dependencies: ["JSON", "HTTPTransport", "HTTPWire", "MIDI", "Hashing"]),
        .target(name: "Harness", dependencies: ["JSON", "HTTPTransport", "HTTPWire", "MIDI", "Hashing"]),
        .target(name: "Analysis", dependencies: ["Cassettes", "HTTPWire", "MIDI", "JSON"]),
        .target(name: "Reporting", dependencies: ["Analysis", "CSQLite", "JSON"]),
        .target(
            name: "TourDeForceCLI",
            dependencies: [
                "Hashing", "JSON", "Gzip", "HTTPWire", "HTTPTransport", "MIDI", "Cassettes", "RecordingProxy",
                "StoriStack", "Harness", "Analysis", "Reporting", "Sockets",
            ]
        ),
        .executableTarget(name: "tdf", dependencies: ["TourDeForceCLI"]),
        .executableTarget(
            name: "HelloServer",
            dependencies: ["HTTPTransport", "HTTPWire"],
            path: "Benchmarks/HelloServer"
        ),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HashingTests", dependencies: ["Hashing", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "GzipTests", dependencies: ["Gzip", "TestSupport"]),
        .testTarget(name: "HTTPWireTests", dependencies: ["HTTPWire", "TestSupport"]),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets", "TestSupport"]),
        .testTarget(
            name: "HTTPTransportTests",
            dependencies: ["HTTPTransport", "Sockets", "HTTPWire", "TestSupport"]
        ),
        .testTarget(name: "MIDITests", dependencies: ["MIDI", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "CassettesTests",
            dependencies: ["Cassettes", "JSON", "HTTPWire", "Gzip", "Hashing", "TestSupport"]
        ),
        .testTarget(
            name: "RecordingProxyTests",
            dependencies: [
                "RecordingProxy", "Cassettes", "JSON", "HTTPTransport", "HTTPWire", "Sockets", "Gzip", "TestSupport",
            ]
        ),
        .testTarget(
            name: "StoriStackTests",
            dependencies: [
                "StoriStack", "JSON", "TourDeForceCLI", "HTTPTransport", "HTTPWire", "MIDI", "Hashing", "TestSupport",
            ]
        ),
        .testTarget(
            name: "HarnessTests",
            dependencies: [
                "Harness", "JSON", "TourDeForceCLI", "StoriStack", "RecordingProxy", "Cassettes", "HTTPTransport",
                "HTTPWire", "Sockets", "MIDI", "Gzip", "TestSupport",
            ]
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "Cassettes", "HTTPWire", "JSON", "MIDI", "TestSupport"]
        ),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Analysis", "TourDeForceCLI", "TestSupport"]),
        .testTarget(name: "TourDeForceCLITests", dependencies: ["TourDeForceCLI", "MIDI", "TestSupport"]),
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
