import FocalCommandSupport
import ArgumentParser
import FocalCore
import FocalLosses
import FocalData
import FocalTraining
import Foundation

/// `focal maps`: the distance-penalty map Φ and FDPT weights of a mask (the paper's Fig. 1).
struct MapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maps",
        abstract: "Render the distance-penalty map Φ and the FDPT weights W = clip(Φ,1e-7,1)^ε of a mask as PNG heat maps.")

    @Option(help: "A mask file (any non-zero pixel is foreground). Default: the first bundled nuclei mask.") var mask: String?
    @Option(help: "Comma-separated ε values (paper's Fig. 1: 0.1,1,10).") var epsilons: String = "0.1,1,10"
    @Option(help: "Output folder.") var output: String = "out/maps"
    @Option(help: "Pixel replication factor of the PNGs.") var upscale: Int = 2

    func run() throws {
        let eps = try epsilons.split(separator: ",").map { text -> Float in
            guard let v = Float(text.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0 else {
                throw ValidationError("'\(text)' in --epsilons is not a number ≥ 0")
            }
            return v
        }
        guard (1...16).contains(upscale) else { throw ValidationError("--upscale must be 1…16") }
        let url: URL
        if let mask { url = URL(fileURLWithPath: mask) } else {
            let pairs = try DefaultDataset.folder().pair().pairs
            guard let first = pairs.first else { throw ValidationError("the bundled dataset has no masks") }
            url = first.mask
        }
        let image = try Image.read(from: url).droppingAlpha()
        let labels = try SegmentationDataset.labels(of: image, classes: 2, path: url.path)
        let maskTensor = Tensor(shape: [image.height, image.width], scalars: labels)
        let maps = try DistancePenalty.maps(mask: maskTensor, epsilons: eps)
        let out = URL(fileURLWithPath: output)
        try OutputFolder.create(output)
        func write(_ values: [Float], _ name: String) throws {
            let rgb = try Heatmap.render(values, height: image.height, width: image.width, range: 0...1, upscale: upscale)
            let png = try Image(width: rgb.width, height: rgb.height, channels: 3, bitDepth: 8, pixels: rgb.planarPixels)
            let file = out.appendingPathComponent(name)
            try PNGCodec.write(png, to: file, as: .rgb8)
            say("wrote \(file.path)")
        }
        try write(maps.phi, "phi.png")
        for w in maps.weights { try write(w.values, "fdpt_eps\(w.epsilon).png") }
    }
}
