import FocalCore
import Foundation

/// The network types that files can name: `NetworkFile.load`, training checkpoints and the
/// `focal` command rebuild a network from the `network` kind stored in its file through this
/// registry. `UNet` is registered from the start; register your own `SegmentationNetwork` type
/// once (e.g. at start-up) to load its files by name:
///
/// ```swift
/// NetworkRegistry.register(TinyNet.self)
/// let model = try NetworkFile.load(from: url)   // a TinyNet
/// ```
///
/// Thread-safe.
public enum NetworkRegistry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var types: [String: any SegmentationNetwork.Type] = [UNet.kind: UNet.self]

    /// Registers `type` under `type.kind`, replacing an earlier registration of that kind.
    public static func register(_ type: any SegmentationNetwork.Type) {
        lock.lock(); defer { lock.unlock() }
        types[type.kind] = type
    }

    /// The registered kinds, sorted.
    public static var kinds: [String] {
        lock.lock(); defer { lock.unlock() }
        return types.keys.sorted()
    }

    /// The type registered under `kind`, if any.
    public static func type(ofKind kind: String) -> (any SegmentationNetwork.Type)? {
        lock.lock(); defer { lock.unlock() }
        return types[kind]
    }

    /// A freshly initialised network of the described kind and configuration.
    /// - Throws: `NetworkError.invalidCheckpoint` for an unregistered kind or an invalid
    ///   configuration (the message names `path`).
    public static func make(_ description: NetworkDescription, path: String) throws -> any SegmentationNetwork {
        guard let type = type(ofKind: description.kind) else {
            throw NetworkError.invalidCheckpoint(
                path: path, reason: "network kind '\(description.kind)' is not registered (known: \(kinds.joined(separator: ", "))); "
                    + "call NetworkRegistry.register(YourNetwork.self) before loading")
        }
        do {
            return try type.make(configurationJSON: description.configuration)
        } catch let error as NetworkError {
            throw NetworkError.invalidCheckpoint(path: path, reason: "the stored configuration is invalid: \(error)")
        }
    }
}
