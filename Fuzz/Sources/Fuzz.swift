import Foundation
@testable import LessonCompiler
@testable import LessonSupport
@testable import LessonSync

// libFuzzer targets for every parser of untrusted input (SECURITY.md). One binary holds them
// all; LESSONC_FUZZ_TARGET picks one. `make fuzz` builds it with -sanitize=fuzzer,address
// (scripts/fuzz.sh); ordinary builds never see this code (Package.swift adds it only when
// LESSONC_FUZZ=1).
//
// A target returns normally for every input, valid or not: a crash, a trap (overflow, bounds,
// precondition), a sanitizer report, a timeout or running out of memory is a finding.

/// Every target, by the name scripts/fuzz.sh and the corpus folders use.
enum FuzzTarget: String, CaseIterable {
    case frontMatter = "front-matter"
    case markdown
    case xliff
    case legacy
    case json
    case channel
    case zip
    case gzip

    func run(_ data: Data) {
        switch self {
        case .frontMatter: Targets.frontMatter(data)
        case .markdown: Targets.markdown(data)
        case .xliff: Targets.xliff(data)
        case .legacy: Targets.legacy(data)
        case .json: Targets.json(data)
        case .channel: Targets.channel(data)
        case .zip: Targets.zip(data)
        case .gzip: Targets.gzip(data)
        }
    }
}

nonisolated(unsafe) var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["LESSONC_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("lessonc-fuzz: set LESSONC_FUZZ_TARGET to one of \(names)\n".utf8))
        exit(2)
    }
    selected = target
    Targets.prepare(target)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    selected?.run(data)
    return 0
}
