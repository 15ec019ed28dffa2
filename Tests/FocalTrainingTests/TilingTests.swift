import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

@Suite("Tiling")
struct TilingTests {
    @Test("origins every stride plus a flush last tile")
    func origins() throws {
        let overlapping = try TileGrid(image: ImageSize(height: 10, width: 10), tile: ImageSize(square: 4), stride: 3)
        #expect(overlapping.origins.map(\.y).uniqued() == [0, 3, 6])
        #expect(overlapping.count == 9)
        let flush = try TileGrid(image: ImageSize(height: 10, width: 8), tile: ImageSize(square: 4), stride: 4)
        #expect(flush.origins.map(\.y).uniqued() == [0, 4, 6])
        #expect(flush.origins.map(\.x).uniqued() == [0, 4])
        let exact = try TileGrid(image: ImageSize(square: 4), tile: ImageSize(square: 4), stride: 2)
        #expect(exact.origins == [TileOrigin(y: 0, x: 0)])
    }

    @Test("cutting copies the right pixels for images and label maps")
    func cut() throws {
        var generator = RandomGenerator(seed: 11)
        let image = Tensor(randomUniform: [2, 7, 9], generator: &generator)
        let grid = try TileGrid(image: ImageSize(height: 7, width: 9), tile: ImageSize(height: 3, width: 4), stride: 2)
        let tiles = try grid.cut(image)
        #expect(tiles.count == grid.count)
        for (t, o) in zip(tiles, grid.origins) {
            #expect(t.shape == [2, 3, 4])
            for c in 0..<2 { for y in 0..<3 { for x in 0..<4 { #expect(t[c, y, x] == image[c, o.y + y, o.x + x]) } } }
        }
        let labels = Tensor(shape: [7, 9], scalars: (0..<63).map { Float($0 % 3) })
        let labelTiles = try grid.cut(labels)
        #expect(labelTiles[1].shape == [3, 4] && labelTiles[1][2, 3] == labels[2, 2 + 3])
        #expect(throws: TilingError.self) { try grid.cut(Tensor(zeros: [2, 7, 8])) }
    }

    @Test("reassembling cut tiles gives the image back; overlaps are averaged")
    func reassemble() throws {
        var generator = RandomGenerator(seed: 12)
        let image = Tensor(randomNormal: [3, 13, 11], generator: &generator)
        let grid = try TileGrid(image: ImageSize(height: 13, width: 11), tile: ImageSize(square: 5), stride: 3)
        let back = try grid.reassemble(try grid.cut(image))
        #expect(back.shape == image.shape)
        #expect(zip(back.scalars, image.scalars).allSatisfy { abs($0 - $1) < 1e-6 })

        // Tile i predicts the constant i: each pixel gets the mean index of the tiles covering it.
        let small = try TileGrid(image: ImageSize(height: 1 + 3, width: 6), tile: ImageSize(height: 4, width: 4), stride: 2)
        #expect(small.count == 2)
        var accumulator = try TileAccumulator(grid: small, channels: 1)
        for i in 0..<small.count { try accumulator.add(Tensor(repeating: Float(i), shape: [1, 4, 4]), at: i) }
        let averaged = try accumulator.result()
        #expect(averaged[0, 0, 0] == 0 && averaged[0, 0, 2] == 0.5 && averaged[0, 0, 3] == 0.5 && averaged[0, 0, 5] == 1)
    }

    @Test("bad geometry and incomplete predictions are typed errors")
    func errors() throws {
        #expect(throws: TilingError.self) { try TileGrid(image: ImageSize(square: 3), tile: ImageSize(square: 4), stride: 2) }
        #expect(throws: TilingError.self) { try TileGrid(image: ImageSize(square: 8), tile: ImageSize(square: 4), stride: 5) }
        #expect(throws: TilingError.self) { try TileGrid(image: ImageSize(square: 8), tile: ImageSize(square: 4), stride: 0) }
        let grid = try TileGrid(image: ImageSize(square: 8), tile: ImageSize(square: 4), stride: 4)
        var accumulator = try TileAccumulator(grid: grid, channels: 2)
        try accumulator.add(Tensor(zeros: [2, 4, 4]), at: 0)
        #expect(throws: TilingError.missingTiles([1, 2, 3])) { try accumulator.result() }
        #expect(throws: TilingError.self) { try accumulator.add(Tensor(zeros: [1, 4, 4]), at: 1) }
        #expect(throws: TilingError.self) { try accumulator.add(Tensor(zeros: [2, 4, 4]), at: 4) }
    }
}

private extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
