// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Focal",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "FocalCore", targets: ["FocalCore"]),
        .library(name: "FocalNets", targets: ["FocalNets"]),
        .library(name: "FocalLosses", targets: ["FocalLosses"]),
        .library(name: "FocalData", targets: ["FocalData"]),
        .library(name: "FocalTraining", targets: ["FocalTraining"]),
        .library(name: "FocalExport", targets: ["FocalExport"]),
        .executable(name: "focal", targets: ["focal"]),
        .executable(name: "custom-loop", targets: ["CustomLoop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // `swift package generate-documentation` (scripts/docs.sh); a plugin only, nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // System libraries, found with pkg-config (Debian: libopenblas-dev, libpng-dev, libtiff-dev, libjpeg62-turbo-dev).
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/System/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkg-config"])]),
        .systemLibrary(
            name: "CPNG", path: "Sources/System/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev", "pkg-config"])]),
        .systemLibrary(
            name: "CTIFF", path: "Sources/System/CTIFF", pkgConfig: "libtiff-4",
            providers: [.apt(["libtiff-dev", "pkg-config"])]),
        .systemLibrary(
            name: "CJPEG", path: "Sources/System/CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev", "pkg-config"])]),
        // giflib ships no pkg-config file; its header and library are in the default paths.
        .systemLibrary(name: "CGIF", path: "Sources/System/CGIF", providers: [.apt(["libgif-dev"])]),
        // C shim: TIFF, GIF and JPEG decoding (libtiff's and giflib's C APIs are variadic/callback-based;
        // libjpeg's errors must longjmp out of the decoder, which Swift cannot do).
        .target(name: "CFocalImageIO", dependencies: ["CTIFF", "CGIF", "CJPEG"], path: "Sources/System/CFocalImageIO",
                linkerSettings: [.linkedLibrary("tiff"), .linkedLibrary("gif"), .linkedLibrary("jpeg")]),
        // C shim: OpenBLAS kernel selection (AVX-512 on misdetected CPUs) and thread control.
        .target(name: "CFocalBLAS", dependencies: ["COpenBLAS"], path: "Sources/System/CFocalBLAS"),
        // C kernels: vector loops that Swift's SIMD types do not compile well, built for AVX2
        // and the baseline and chosen at load time.
        .target(name: "CFocalKernels", path: "Sources/System/CFocalKernels"),
        // C shim: Open MPI loaded with dlopen() at run time (libmpi.so.40), so building and
        // running without MPI needs nothing; only `mpirun` launches load it (Docs/Distributed.md).
        .target(name: "CFocalMPI", path: "Sources/System/CFocalMPI", linkerSettings: [.linkedLibrary("dl")]),

        // Libraries.
        .target(name: "FocalCore", dependencies: ["CFocalBLAS", "CFocalKernels", "COpenBLAS"]),
        .target(name: "FocalNets", dependencies: ["FocalCore"]),
        .target(name: "FocalLosses", dependencies: ["FocalCore"]),
        // Images, datasets, preprocessing and augmentation; the bundled nuclei tiles are its resource.
        .target(name: "FocalData", dependencies: ["FocalCore", "CPNG", "CFocalImageIO"],
                resources: [.copy("Resources/nuclei")]),
        .target(name: "FocalTraining", dependencies: ["FocalCore", "FocalNets", "FocalLosses", "FocalData", "CFocalMPI"]),

        // What only the executables use: presets, progress bars, the benchmark, heat maps.
        .target(name: "FocalCommandSupport", dependencies: ["FocalCore", "FocalNets", "FocalLosses", "FocalData", "FocalTraining"]),
        // ONNX export; Generated/onnx.pb.swift is committed (Tools/onnx/generate.sh), not built by a plugin.
        .target(name: "FocalExport",
                dependencies: ["FocalNets", "FocalCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),

        // Thin executables.
        .executableTarget(
            name: "focal",
            dependencies: [
                "FocalCore", "FocalNets", "FocalLosses", "FocalData", "FocalTraining", "FocalCommandSupport", "FocalExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Examples/focal"),
        .executableTarget(
            name: "CustomLoop", dependencies: ["FocalCore", "FocalNets", "FocalLosses", "FocalData", "FocalTraining"],
            path: "Sources/Examples/CustomLoop"),

        // libFuzzer targets for the file parsers (see Docs/Reliability.md for the build command;
        // a plain build makes programs that print how to build them).
        .target(name: "FuzzDriver", path: "Fuzz/FuzzDriver", swiftSettings: [.enableExperimentalFeature("Extern")]),
        .executableTarget(name: "SafeTensorsFuzz", dependencies: ["FocalCore", "FuzzDriver"], path: "Fuzz/SafeTensorsFuzz"),
        .executableTarget(name: "NumPyFuzz", dependencies: ["FocalCore", "FuzzDriver"], path: "Fuzz/NumPyFuzz"),
        .executableTarget(name: "ImageFuzz", dependencies: ["FocalData", "FuzzDriver"], path: "Fuzz/ImageFuzz"),

        // Tests.
        .target(name: "FocalTestSupport", dependencies: ["FocalCore"], path: "Tests/FocalTestSupport"),
        .testTarget(name: "FocalCoreTests", dependencies: ["FocalCore", "FocalTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "FocalLossesTests", dependencies: ["FocalLosses", "FocalCore", "FocalTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "FocalNetsTests", dependencies: ["FocalNets", "FocalCore", "FocalTestSupport"]),
        .testTarget(name: "FocalExportTests",
                    dependencies: ["FocalExport", "FocalData", "FocalTraining", "FocalNets", "FocalCore", "FocalTestSupport",
                                   .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "FocalTrainingTests",
                    dependencies: ["FocalTraining", "FocalData", "FocalCommandSupport", "FocalNets", "FocalLosses", "FocalCore", "FocalTestSupport"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
