// libFuzzer's driver, shared by the fuzz targets (Fuzz/*Fuzz; build commands in
// Docs/Reliability.md). SwiftPM links executables with `--defsym main=<Module>_main`, a symbol
// Swift does not emit under `-parse-as-library` (which libFuzzer needs); so each target defines
// `<Module>_main` itself and calls `runFuzzer`. In an ordinary build (no `FUZZING`) the targets
// only explain how to build them.

#if FUZZING
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Runs libFuzzer's driver with the program's arguments over `callback` (one input per call).
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}
#endif

/// What a fuzz target prints when it was built without fuzzing.
public func fuzzBuildInstructions(_ product: String) -> String {
    "\(product): build with swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library "
        + "-Xswiftc -DFUZZING --product \(product) (see Docs/Reliability.md)"
}
