// libFuzzer harness for the safetensors reader:
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
//       -Xswiftc -DFUZZING --product SafeTensorsFuzz
//   mkdir -p corpus && .build/debug/SafeTensorsFuzz -max_total_time=120 -max_len=4096 corpus/ seeds/
// Every input must either decode or throw a `SafeTensorsError`; a trap, an ASan report or a broken
// invariant below is a finding.
//
// The driver and the entry-point arrangement are in Fuzz/FuzzDriver.
import FocalCore
import FuzzDriver

#if FUZZING

/// Decodes one input; checks that a decoded file is consistent and re-encodes exactly.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count)
    do {
        let file = try SafeTensors.decode(bytes: bytes)
        for (name, tensor) in file.tensors {
            precondition(tensor.count == Shape.count(tensor.shape), "inconsistent tensor \(name)")
            precondition(file[name] != nil, "lookup of \(name) failed")
        }
        let again = try SafeTensors.decode(SafeTensors.encode(file.tensors, metadata: file.metadata))
        precondition(again.names == file.names && again.metadata == file.metadata, "re-encode changed the names or metadata")
        for ((_, a), (_, b)) in zip(again.tensors, file.tensors) {
            precondition(a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "re-encode changed a tensor")
        }
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}

/// The program's entry point in fuzzing builds: libFuzzer's driver over `safeTensorsFuzzOne`.
@_cdecl("SafeTensorsFuzz_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, safeTensorsFuzzOne)
}
#else
// A declaration rather than a statement, so that this inactive branch still parses under
// `-parse-as-library`; in an ordinary build it runs as the program.
let usage: Void = print(fuzzBuildInstructions("SafeTensorsFuzz"))
#endif
