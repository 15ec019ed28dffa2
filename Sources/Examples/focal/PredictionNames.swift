import Foundation

/// The output names of `focal predict`: `<stem>.png` (and `<stem>.npy`), or `<file name>.png`
/// for every input whose stem another input shares, so no result overwrites another.
struct PredictionNames {
    private let colliding: Set<String>

    /// Names for these input files.
    init(files: [URL]) {
        var count: [String: Int] = [:]
        for f in files { count[f.deletingPathExtension().lastPathComponent, default: 0] += 1 }
        colliding = Set(count.filter { $0.value > 1 }.keys)
    }

    private func base(_ file: URL) -> String {
        let stem = file.deletingPathExtension().lastPathComponent
        return colliding.contains(stem) ? file.lastPathComponent : stem
    }

    /// The mask's file name.
    func mask(_ file: URL) -> String { base(file) + ".png" }
    /// The probability map's file name (inside `probabilities/`).
    func probabilities(_ file: URL) -> String { base(file) + ".npy" }
}
