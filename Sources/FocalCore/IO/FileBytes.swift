import Foundation

/// File access shared by the tensor file formats (`SafeTensors`, `NumPyArray`): failures are
/// handed to the caller's typed error as the reason text (`.io(path:reason:)`).
enum FileBytes {
    /// The contents of `url`; a failure becomes `makeError("cannot read the file (…)")`.
    static func read<E: Error>(_ url: URL, orThrow makeError: (String) -> E) throws(E) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw makeError("cannot read the file (\(FileErrorReason.reason(for: error) ?? "\(error)"))")
        }
    }

    /// Writes `data` to `url` atomically (`AtomicFile.write`); a failure becomes `makeError`.
    static func write<E: Error>(_ data: Data, to url: URL, orThrow makeError: (String) -> E) throws(E) {
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw makeError("\(error)")
        }
    }

    /// `body` over the bytes of `data`, keeping `body`'s typed error.
    static func withBytes<T, E: Error>(of data: Data, _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let result = data.withUnsafeBytes { raw in Result { () throws(E) -> T in try body(raw) } }
        return try result.get()
    }
}
