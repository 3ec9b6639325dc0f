// swift-tools-version: 6.1
// Benchmarks of Gradwire, a nested package so that the main package never depends on a harness
// (STYLE §10). Build in release: `cd benchmarks && swift build -c release`.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, and checkouts name the root folder freely.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "GradwireBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        // Distributed Lion kernels (sign packing, vote counting) against a memory copy; a plain
        // release executable (wall-clock figures only).
        .executableTarget(
            name: "LionBenchmarks",
            dependencies: [.product(name: "GradwireSim", package: root)],
            path: "Sources/LionBenchmarks"),
        // Robust aggregation rules (task T4) against a memory-read ceiling; a plain release
        // executable printing a markdown table (wall-clock figures only).
        .executableTarget(
            name: "RobustBenchmarks",
            dependencies: [.product(name: "GradwireSim", package: root)],
            path: "Sources/RobustBenchmarks"),
        // Every compressor's compress and decompress throughput on 10^7 floats against a memory
        // copy; a plain release executable printing a markdown table (wall-clock figures only).
        .executableTarget(
            name: "CompressionBenchmarks",
            dependencies: [.product(name: "GradwireSim", package: root)],
            path: "Sources/CompressionBenchmarks"),
    ]
)
