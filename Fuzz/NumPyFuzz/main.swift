// libFuzzer harness for the .npy reader:
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
//       -Xswiftc -DFUZZING --product NumPyFuzz
//   mkdir -p corpus && .build/debug/NumPyFuzz -max_total_time=120 -max_len=4096 corpus/ seeds/
// Every input must either decode or throw a `NumPyError`; a trap, an ASan report or a broken
// invariant below is a finding.
//
// The driver and the entry-point arrangement are in Fuzz/FuzzDriver.
import FocalCore
import FuzzDriver

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

/// The program's entry point in fuzzing builds: libFuzzer's driver over `numPyFuzzOne`.
@_cdecl("NumPyFuzz_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, numPyFuzzOne)
}
#else
// A declaration rather than a statement, so that this inactive branch still parses under
// `-parse-as-library`; in an ordinary build it runs as the program.
let usage: Void = print(fuzzBuildInstructions("NumPyFuzz"))
#endif
