// swift-tools-version:6.0
import PackageDescription

// No Swift package dependencies: Foundation, XCTest and four C libraries from Debian.

let package = Package(
    name: "lessonc",
    products: [
        .executable(name: "lessonc", targets: ["lessonc"]),
        .library(name: "LessonCompiler", targets: ["LessonCompiler"]),
        .library(name: "LessonChannel", targets: ["LessonChannel"]),
        .library(name: "LessonSync", targets: ["LessonSync"]),
    ],
    targets: [
        .systemLibrary(name: "Ccmark", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "Clibxml2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "Csodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "Czlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // glibc's allocator controls (mallopt, malloc_trim): part of libc.
        .systemLibrary(name: "Cmalloc"),

        // Generic pieces: JSON, hashing and signatures (libsodium), gzip (zlib), files, parallel work.
        .target(name: "LessonSupport", dependencies: ["Csodium", "Czlib", "Cmalloc"]),
        // The channel format: its documents, canonical JSON, signatures and key chain, offline packs
        // (ZIP) and the verifier. Written by the publisher, read by the device client.
        .target(name: "LessonChannel", dependencies: ["LessonSupport"], exclude: ["README.md"]),
        // load → validate → compile → build, translate, publish, legacy import/export.
        .target(name: "LessonCompiler", dependencies: ["LessonSupport", "LessonChannel", "Ccmark", "Clibxml2"]),
        // The device client: no dependency on the compiler.
        .target(name: "LessonSync", dependencies: ["LessonSupport", "LessonChannel"]),
        .executableTarget(name: "lessonc", dependencies: ["LessonCompiler", "LessonSync", "LessonChannel", "LessonSupport"]),

        .testTarget(name: "LessonSupportTests", dependencies: ["LessonSupport"]),
        .testTarget(name: "LessonChannelTests", dependencies: ["LessonChannel", "LessonSupport"]),
        .testTarget(name: "LessonCompilerTests", dependencies: ["LessonCompiler", "LessonChannel", "LessonSupport"],
                    resources: [.copy("Golden")]),
        // The compiler only publishes fixture channels; the client under test never sees it.
        .testTarget(name: "LessonSyncTests", dependencies: ["LessonSync", "LessonChannel", "LessonSupport", "LessonCompiler"]),
    ],
    // Every target, tests included, in the Swift 6 language mode: complete concurrency checking.
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (Fuzz/, `make fuzz`): added only when LESSONC_FUZZ=1, because they build
// with -sanitize=fuzzer (libFuzzer supplies main) and reach internals through -enable-testing.
// scripts/fuzz.sh builds them in .build-fuzz, apart from ordinary builds.
if Context.environment["LESSONC_FUZZ"] == "1" {
    package.targets.append(.executableTarget(name: "lessonc-fuzz", dependencies: ["LessonCompiler", "LessonSync", "LessonChannel", "LessonSupport"],
                                             path: "Fuzz/Sources", swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
