import Foundation

/// How much memory a forward pass may take before Focal refuses to start it: by default half
/// of the physical memory, or `FOCAL_MEMORY_BUDGET` gigabytes (10⁹ bytes) from the
/// environment (e.g. `FOCAL_MEMORY_BUDGET=4`).
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// The budget in bytes.
    public var bytes: Double
    /// Where the value came from, for messages ("half the physical memory").
    public var origin: String

    /// A budget of `bytes`.
    public init(bytes: Double, origin: String) {
        self.bytes = bytes
        self.origin = origin
    }

    /// The environment variable that overrides the default.
    public static let environmentKey = "FOCAL_MEMORY_BUDGET"

    /// `FOCAL_MEMORY_BUDGET` when set to a positive number of gigabytes, else half the
    /// physical memory.
    public static var standard: MemoryBudget {
        if let text = ProcessInfo.processInfo.environment[environmentKey], let gb = Double(text), gb > 0, gb.isFinite {
            return MemoryBudget(bytes: gb * 1e9, origin: "\(environmentKey)=\(text)")
        }
        return MemoryBudget(bytes: Double(ProcessInfo.processInfo.physicalMemory) / 2,
                            origin: "half the physical memory; set \(environmentKey) in GB to change it")
    }

    /// E.g. "11.7 GB".
    public var description: String { Self.format(bytes) }

    /// Bytes as "~61 GB" style text (GB with one decimal below 10, MB below 1 GB).
    static func format(_ bytes: Double) -> String {
        if bytes >= 10e9 { return String(format: "%.0f GB", bytes / 1e9) }
        if bytes >= 1e9 { return String(format: "%.1f GB", bytes / 1e9) }
        return String(format: "%.0f MB", bytes / 1e6)
    }
}
