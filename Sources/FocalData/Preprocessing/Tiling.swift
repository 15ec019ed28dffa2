import FocalCore

/// A tiling request that cannot be carried out.
public enum TilingError: Error, Equatable, CustomStringConvertible {
    /// Tile size or stride out of range.
    case invalidGeometry(String)
    /// The image is smaller than one tile.
    case imageSmallerThanTile(image: ImageSize, tile: ImageSize)
    /// A tensor whose shape does not fit the grid.
    case shapeMismatch(String)
    /// `result()` before every tile was added.
    case missingTiles([Int])

    public var description: String {
        switch self {
        case let .invalidGeometry(why): return "invalid tiling: \(why)"
        case let .imageSmallerThanTile(image, tile): return "an image of \(image) is smaller than one \(tile) tile; resize or pad it first"
        case let .shapeMismatch(why): return "tile shape mismatch: \(why)"
        case let .missingTiles(indices): return "no prediction was added for tile(s) \(indices.prefix(10).map(String.init).joined(separator: ", "))"
        }
    }
}

/// The top-left corner of a tile.
public struct TileOrigin: Sendable, Equatable, Hashable {
    /// Row of the top edge.
    public let y: Int
    /// Column of the left edge.
    public let x: Int
}

/// Tiles of one size covering an image: origins every `stride` pixels, row-major, plus a last
/// row/column of tiles flush with the bottom/right edge when the stride does not land there,
/// so every pixel is covered and no tile leaves the image. `stride == tile` gives
/// non-overlapping tiles (except the flush last ones); smaller strides overlap.
public struct TileGrid: Sendable, Equatable {
    /// Image size.
    public let image: ImageSize
    /// Tile size.
    public let tile: ImageSize
    /// Step between tile origins, in pixels (both axes).
    public let stride: Int
    /// Tile origins, row-major.
    public let origins: [TileOrigin]

    /// A grid; throws `TilingError` when the tile or stride is not positive, the stride exceeds
    /// the tile (gaps), or the image is smaller than the tile.
    public init(image: ImageSize, tile: ImageSize, stride: Int) throws {
        guard tile.height > 0, tile.width > 0 else { throw TilingError.invalidGeometry("tile size \(tile) must be positive") }
        guard stride > 0, stride <= min(tile.height, tile.width) else {
            throw TilingError.invalidGeometry("stride \(stride) must be in 1…\(min(tile.height, tile.width)) (no gaps between tiles)")
        }
        guard image.height >= tile.height, image.width >= tile.width else {
            throw TilingError.imageSmallerThanTile(image: image, tile: tile)
        }
        func starts(_ n: Int, _ t: Int) -> [Int] {
            var s = Array(Swift.stride(from: 0, through: n - t, by: stride))
            if s.last! != n - t { s.append(n - t) }
            return s
        }
        self.image = image
        self.tile = tile
        self.stride = stride
        origins = starts(image.height, tile.height).flatMap { y in starts(image.width, tile.width).map { TileOrigin(y: y, x: $0) } }
    }

    /// Number of tiles.
    public var count: Int { origins.count }

    /// Cuts a `[C, H, W]` image (or a `[H, W]` label map) into tiles, `[C, th, tw]` (`[th, tw]`).
    public func cut(_ tensor: Tensor) throws -> [Tensor] {
        let planar = try planes(of: tensor)
        let source = tensor.contiguous()
        let (h, w) = (image.height, image.width)
        let (th, tw) = (tile.height, tile.width)
        return source.withUnsafeBufferPointer { src in
            origins.map { o in
                Tensor(shape: tensor.rank == 3 ? [planar, th, tw] : [th, tw]) { out in
                    for c in 0..<planar {
                        for r in 0..<th {
                            let s = (c * h + o.y + r) * w + o.x, d = (c * th + r) * tw
                            for k in 0..<tw { out[d + k] = src[s + k] }
                        }
                    }
                }
            }
        }
    }

    /// Stitches per-tile predictions `[K, th, tw]` (one per origin, in order) into `[K, H, W]`,
    /// averaging overlaps.
    public func reassemble(_ tiles: [Tensor]) throws -> Tensor {
        guard tiles.count == count else {
            throw TilingError.shapeMismatch("\(tiles.count) tiles given, the grid has \(count)")
        }
        guard let first = tiles.first, first.rank == 3 else {
            throw TilingError.shapeMismatch("predictions must be [K, \(tile.height), \(tile.width)]")
        }
        var accumulator = try TileAccumulator(grid: self, channels: first.shape[0])
        for (i, t) in tiles.enumerated() { try accumulator.add(t, at: i) }
        return try accumulator.result()
    }

    private func planes(of tensor: Tensor) throws -> Int {
        switch tensor.rank {
        case 3 where tensor.shape[1] == image.height && tensor.shape[2] == image.width: return tensor.shape[0]
        case 2 where tensor.shape[0] == image.height && tensor.shape[1] == image.width: return 1
        default: throw TilingError.shapeMismatch("expected [C, \(image.height), \(image.width)] or [\(image.height), \(image.width)], got \(tensor.shape)")
        }
    }
}

/// Sliding-window inference: adds per-tile predictions `[K, th, tw]` into a full-size sum and
/// divides by how many tiles covered each pixel.
public struct TileAccumulator: Sendable {
    /// The grid the tiles come from.
    public let grid: TileGrid
    /// Prediction channels `K`.
    public let channels: Int
    private var sum: [Float]
    private var hits: [Float]
    private var added: [Bool]

    /// An empty accumulator for `channels`-channel predictions.
    public init(grid: TileGrid, channels: Int) throws {
        guard channels > 0 else { throw TilingError.invalidGeometry("predictions need at least one channel") }
        self.grid = grid
        self.channels = channels
        sum = [Float](repeating: 0, count: channels * grid.image.height * grid.image.width)
        hits = [Float](repeating: 0, count: grid.image.height * grid.image.width)
        added = [Bool](repeating: false, count: grid.count)
    }

    /// Adds the prediction of tile `index`.
    public mutating func add(_ prediction: Tensor, at index: Int) throws {
        guard index >= 0 && index < grid.count else {
            throw TilingError.shapeMismatch("tile index \(index) is out of range 0..<\(grid.count)")
        }
        let (th, tw) = (grid.tile.height, grid.tile.width)
        guard prediction.shape == [channels, th, tw] else {
            throw TilingError.shapeMismatch("tile \(index): expected [\(channels), \(th), \(tw)], got \(prediction.shape)")
        }
        let o = grid.origins[index]
        let (h, w) = (grid.image.height, grid.image.width)
        let k = channels
        prediction.contiguous().withUnsafeBufferPointer { p in
            sum.withUnsafeMutableBufferPointer { s in
                for c in 0..<k {
                    for r in 0..<th {
                        let d = (c * h + o.y + r) * w + o.x, src = (c * th + r) * tw
                        for x in 0..<tw { s[d + x] += p[src + x] }
                    }
                }
            }
        }
        for r in 0..<th {
            for x in 0..<tw { hits[(o.y + r) * w + o.x + x] += 1 }
        }
        added[index] = true
    }

    /// The averaged `[K, H, W]` prediction; throws `TilingError.missingTiles` unless every tile
    /// was added.
    public func result() throws -> Tensor {
        let missing = added.indices.filter { !added[$0] }
        guard missing.isEmpty else { throw TilingError.missingTiles(missing) }
        let plane = grid.image.height * grid.image.width
        return Tensor(shape: [channels, grid.image.height, grid.image.width]) { out in
            for c in 0..<channels {
                for i in 0..<plane { out[c * plane + i] = sum[c * plane + i] / hits[i] }
            }
        }
    }
}
