// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Gradwire",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gradwire", targets: ["gradwire"]),
        .library(name: "GradwireSim", targets: ["Sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries (Debian packages libzmq3-dev, libopenblas-dev, zlib1g-dev).
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "Protocol"),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // The bundled digits data, embedded in the binary.
        .target(name: "CDigits", exclude: ["digits.csv.gz", "README.md"]),
        // Runtime-dispatched AVX-512 / AVX2 kernels of the robust rules (docs/simd-kernels.md).
        .target(name: "CKernels", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "Sim", dependencies: ["Protocol", "COpenBLAS", "CZlib", "CDigits", "CKernels"]),
        .target(name: "Experiment", dependencies: ["Sim", "Protocol", .product(name: "TOMLKit", package: "TOMLKit")]),
        // Protocol messages over ZeroMQ sockets, shared by Coordinator and Worker (which never import each other).
        .target(name: "Messaging", dependencies: ["Protocol", "ZeroMQ"]),
        .target(name: "Coordinator", dependencies: ["Protocol", "Sim", "Experiment", "ZeroMQ", "Messaging"]),
        .target(name: "Worker", dependencies: ["Protocol", "Sim", "Experiment", "ZeroMQ", "Messaging"]),
        .executableTarget(
            name: "gradwire",
            dependencies: [
                "Coordinator", "Worker", "Experiment", "Sim", "Protocol", "ZeroMQ", "Messaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "ProtocolTests", dependencies: ["Protocol"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "CZeroMQ"]),
        .testTarget(name: "SimTests", dependencies: ["Sim", "Protocol"]),
        .testTarget(name: "ExperimentTests", dependencies: ["Experiment", "Sim"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "Worker", "Sim", "Protocol", "Experiment"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Sim", "Protocol", "Experiment", "Messaging", "ZeroMQ"]),
        .testTarget(name: "MessagingTests", dependencies: ["Messaging", "Protocol", "ZeroMQ"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Sim", "Experiment"]),
    ],
    swiftLanguageModes: [.v6]
)
