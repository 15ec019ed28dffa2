// libFuzzer harness for the .npy reader. Not built with the tests: add the target to
// Package.swift (with `swiftSettings: [.enableExperimentalFeature("Extern")]`), then
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
//       -Xswiftc -DFUZZING --product NumPyFuzz
//   mkdir -p corpus && .build/debug/NumPyFuzz -max_total_time=120 -max_len=4096 corpus/ seeds/
// Every input must either decode or throw a `NumPyError`; a trap, an ASan report or a broken
// invariant below is a finding.
//
// SwiftPM links executables with `--defsym main=<Module>_main`, a symbol Swift does not emit
// under `-parse-as-library` (which libFuzzer needs); so in fuzzing builds this file defines
// `NumPyFuzz_main` itself and hands control to libFuzzer's driver. In an ordinary build
// (no `FUZZING`) the program only explains how to build it.
import FocalCore

#if FUZZING

/// Decodes one input; checks that a decoded array is consistent and re-encodes exactly.
@_cdecl("LLVMFuzzerTestOneInput")
public func numPyFuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count)
    do {
        let tensor = try NumPyArray.decode(bytes: bytes)
        precondition(tensor.count == Shape.count(tensor.shape), "inconsistent tensor")
        let again = try NumPyArray.decode(NumPyArray.encode(tensor))
        precondition(again.shape == tensor.shape && again.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern),
                     "re-encode changed the array")
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}

@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The program's entry point in fuzzing builds: libFuzzer's driver over `numPyFuzzOne`.
@_cdecl("NumPyFuzz_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, numPyFuzzOne)
}
#else
// A declaration rather than a statement, so that this inactive branch still parses under
// `-parse-as-library`; in an ordinary build it runs as the program.
let usage: Void = print("NumPyFuzz: build with -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING (see the top of main.swift)")
#endif
