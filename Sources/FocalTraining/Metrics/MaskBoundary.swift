/// The boundary (surface) pixels of a binary mask, as MONAI's `get_mask_edges` finds them
/// (used by its Hausdorff, average surface distance and surface Dice metrics without
/// sub-voxel edges): `mask XOR binary_erosion(mask)`, with SciPy's default structuring element
/// `generate_binary_structure(2, 1)` — the 4-connected cross — and the outside of the image
/// counted as background (SciPy's `border_value=0`; MONAI's crop with a margin of 1 does not
/// change the result).
///
/// So a mask pixel is a boundary pixel when one of its four edge neighbours (up, down, left,
/// right) is background or lies outside the image; diagonal neighbours do not count. The
/// resulting boundary is 8-connected. Every non-empty mask has at least one boundary pixel.
public enum MaskBoundary {
    /// The boundary of `mask` (row-major `height × width`): `true` at mask pixels with a
    /// background or out-of-image 4-neighbour.
    public static func pixels(of mask: [Bool], height: Int, width: Int, name: String = "") throws -> [Bool] {
        guard height > 0, width > 0, height * width == mask.count else {
            throw MetricsError.invalidGrid(image: name, height: height, width: width, pixels: mask.count)
        }
        var edge = [Bool](repeating: false, count: mask.count)
        mask.withUnsafeBufferPointer { m in
            edge.withUnsafeMutableBufferPointer { e in
                for y in 0..<height {
                    let row = y * width
                    for x in 0..<width where m[row + x] {
                        let i = row + x
                        e[i] = y == 0 || y == height - 1 || x == 0 || x == width - 1
                            || !m[i - width] || !m[i + width] || !m[i - 1] || !m[i + 1]
                    }
                }
            }
        }
        return edge
    }
}
