// libFuzzer harness for the image readers (PNG in Swift; TIFF, GIF and JPEG through libtiff,
// giflib and libjpeg-turbo; .npy): every input is decoded from memory as PNG and, written to a file, by
// `Image.read`, which picks the reader by the file's first bytes.
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
//       -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address --product ImageFuzz
//   mkdir -p corpus && .build/debug/ImageFuzz -max_total_time=120 -max_len=8192 corpus/ \
//       Tests/FocalTrainingTests/Fixtures/images Tests/FocalTrainingTests/Fixtures/tiffgif \
//       Tests/FocalTrainingTests/Fixtures/jpeg
// Every input must either decode to a consistent image or throw an `ImageError`; a trap, an
// ASan report or a broken invariant below is a finding (`-Xcc …` instruments the C readers too;
// libtiff, giflib and libjpeg-turbo themselves are Debian's, uninstrumented).
//
// The driver and the entry-point arrangement are in Fuzz/FuzzDriver.
import FocalData
import Foundation
import FuzzDriver

#if FUZZING

/// The file the readers that take a path are given (one per process).
let scratchFile = FileManager.default.temporaryDirectory.appendingPathComponent("focal-imagefuzz-\(getpid()).img")

/// Checks an image's invariants: sizes, sample count and finite values.
func checkImage(_ image: Image) {
    precondition(image.width > 0 && image.height > 0 && image.channels > 0, "empty image accepted")
    precondition(image.pixels.count == image.width * image.height * image.channels, "pixel count does not match the size")
    precondition(image.pixels.allSatisfy { $0.isFinite }, "non-finite pixel values")
}

/// Decodes one input from memory (PNG) and from a file (any format).
@_cdecl("LLVMFuzzerTestOneInput")
public func imageFuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    do { checkImage(try PNGCodec.decode(data)) } catch { precondition(error is ImageError, "untyped error \(error)") }
    do {
        try data.write(to: scratchFile)
        checkImage(try Image.read(from: scratchFile))
    } catch {
        precondition(error is ImageError || error is DatasetError || (error as NSError).domain == NSCocoaErrorDomain,
                     "untyped error \(error)")
    }
    return 0
}

/// The program's entry point in fuzzing builds: libFuzzer's driver over `imageFuzzOne`.
@_cdecl("ImageFuzz_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, imageFuzzOne)
}
#else
// A declaration rather than a statement, so that this inactive branch still parses under
// `-parse-as-library`; in an ordinary build it runs as the program.
let usage: Void = print(fuzzBuildInstructions("ImageFuzz"))
#endif
