// swift-tools-version: 6.2
import PackageDescription

// A package that uses tdf as a library: a checkout of tdf sits next to it, in ../tourdeforce.
let package = Package(
    name: "LibraryExample",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../tourdeforce")],
    targets: [
        .testTarget(
            name: "LibraryExampleTests",
            dependencies: [.product(name: "TourDeForce", package: "tourdeforce")]
        )
    ]
)
