import FocalCore
import Foundation
import Testing

@Suite("AtomicFile")
struct AtomicFileTests {
    private func makeDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("focal-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("Writes, replaces and leaves no temporary file behind")
    func writeAndReplace() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        try AtomicFile.write(Data(), to: url)
        #expect(try Data(contentsOf: url).isEmpty)
        let big = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try AtomicFile.write(big, to: url)
        #expect(try Data(contentsOf: url) == big)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.bin"])
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test("Failures are typed, keep the destination and remove the temporary file")
    func failures() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Missing directory: the temporary file cannot be created.
        let missing = dir.appendingPathComponent("no/such/dir/out.bin")
        #expect(throws: AtomicFileError.self) { try AtomicFile.write(Data([1]), to: missing) }
        // Destination is a non-empty directory: the rename fails after the data was written.
        let blocker = dir.appendingPathComponent("target")
        try FileManager.default.createDirectory(at: blocker.appendingPathComponent("child"), withIntermediateDirectories: true)
        do {
            try AtomicFile.write(Data([1, 2]), to: blocker)
            Issue.record("expected an error")
        } catch let error as AtomicFileError {
            #expect(error.operation.hasPrefix("rename"))
            #expect(error.description.contains(blocker.path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["target"])
    }
}
