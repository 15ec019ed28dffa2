import FocalCore
import FocalLosses
import Foundation
import Testing

/// `Fixtures/distance-penalty-golden.json`, written by `Tools/golden/distance_penalty.py`
/// (scipy `distance_transform_edt` and the SegLoss distance map with the spec's guards).
struct DistancePenaltyGolden: Decodable {
    struct Mask: Decodable {
        let name: String
        let shape: [Int]
        let mask: [Int]
        let phi: [Double]
        let edt: [Double]?
    }
    let masks: [Mask]

    static let shared: DistancePenaltyGolden = {
        let data = try! Data(contentsOf: LossTestSupport.fixture("distance-penalty-golden", "json"))
        return try! JSONDecoder().decode(DistancePenaltyGolden.self, from: data)
    }()
}

@Suite("Exact Euclidean distance transform")
struct DistanceTransformTests {
    /// Squared distance of every `true` element to the nearest `false` one, by brute force.
    static func bruteForce(_ mask: [Bool], shape: [Int]) -> [Double] {
        let strides = Shape.contiguousStrides(shape)
        func coords(_ i: Int) -> [Int] { (0..<shape.count).map { (i / strides[$0]) % shape[$0] } }
        let zeros = mask.indices.filter { !mask[$0] }.map(coords)
        return mask.indices.map { i in
            guard mask[i] else { return 0 }
            let c = coords(i)
            return zeros.map { z in zip(c, z).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } }.min() ?? .infinity
        }
    }

    /// `bruteForce` on a grid whose step along axis `a` is `spacing[a]`.
    static func bruteForce(_ mask: [Bool], shape: [Int], spacing: [Double]) -> [Double] {
        let strides = Shape.contiguousStrides(shape)
        func coords(_ i: Int) -> [Double] { (0..<shape.count).map { Double((i / strides[$0]) % shape[$0]) * spacing[$0] } }
        let zeros = mask.indices.filter { !mask[$0] }.map(coords)
        return mask.indices.map { i in
            guard mask[i] else { return 0 }
            let c = coords(i)
            return zeros.map { z in zip(c, z).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min() ?? .infinity
        }
    }

    @Test("equals brute force on random 1-D, 2-D and 3-D masks")
    func randomMasks() throws {
        var g = RandomGenerator(seed: 77)
        var checked = 0
        for trial in 0..<60 {
            let rank = 1 + trial % 3
            let shape = (0..<rank).map { _ in 1 + Int(g.nextUnit() * (rank == 3 ? 7 : 14)) }
            let density = g.nextUnit()
            let mask = (0..<Shape.count(shape)).map { _ in g.nextUnit() < density }
            let fast = try EuclideanDistanceTransform.squaredDistances(mask, shape: shape)
            let slow = Self.bruteForce(mask, shape: shape)
            #expect(fast == slow, "shape \(shape), density \(density)")
            checked += 1
        }
        #expect(checked == 60)
    }

    @Test("with an anisotropic spacing equals brute force on random 1-D, 2-D and 3-D masks")
    func randomMasksWithSpacing() throws {
        var g = RandomGenerator(seed: 78)
        var worst = 0.0
        for trial in 0..<60 {
            let rank = 1 + trial % 3
            let shape = (0..<rank).map { _ in 1 + Int(g.nextUnit() * (rank == 3 ? 7 : 14)) }
            let spacing = (0..<rank).map { _ in 0.2 + 3 * g.nextUnit() }
            let density = g.nextUnit()
            let mask = (0..<Shape.count(shape)).map { _ in g.nextUnit() < density }
            let fast = try EuclideanDistanceTransform.squaredDistances(mask, shape: shape, spacing: spacing)
            let slow = Self.bruteForce(mask, shape: shape, spacing: spacing)
            for (a, b) in zip(fast, slow) {
                if a == b { continue }
                #expect(a.isFinite && b.isFinite, "shape \(shape), spacing \(spacing)")
                worst = max(worst, abs(a - b) / max(b, 1e-300))
            }
        }
        #expect(worst <= 1e-12, "worst relative error \(worst)")
    }

    @Test("unit spacing given explicitly is bit-for-bit the default; a spacing stretches distances")
    func explicitUnitSpacing() throws {
        var g = RandomGenerator(seed: 79)
        let shape = [9, 13]
        let mask = (0..<Shape.count(shape)).map { _ in g.nextUnit() < 0.7 }
        #expect(try EuclideanDistanceTransform.squaredDistances(mask, shape: shape, spacing: [1, 1])
            == EuclideanDistanceTransform.squaredDistances(mask, shape: shape))
        // One zero at the left end of a row of 5: distances 0, 2.5, 5, 7.5, 10 with step 2.5.
        let row = try EuclideanDistanceTransform.distances([false, true, true, true, true], shape: [1, 5], spacing: [7, 2.5])
        #expect(row == [0, 2.5, 5, 7.5, 10])
    }

    @Test("equals scipy.ndimage.distance_transform_edt on the golden masks")
    func scipy() throws {
        for m in DistancePenaltyGolden.shared.masks {
            guard let expected = m.edt else { continue }
            let d = try EuclideanDistanceTransform.distances(m.mask.map { $0 != 0 }, shape: m.shape)
            #expect(zip(d, expected).allSatisfy { abs($0 - $1) <= 1e-12 }, "\(m.name)")
        }
    }

    @Test("no zero element gives +infinity, no non-zero element gives 0")
    func degenerate() throws {
        #expect(try EuclideanDistanceTransform.distances([Bool](repeating: true, count: 12), shape: [3, 4]).allSatisfy { $0 == .infinity })
        #expect(try EuclideanDistanceTransform.distances([Bool](repeating: false, count: 24), shape: [2, 3, 4]).allSatisfy { $0 == 0 })
    }

    @Test("rejects bad shapes with a clear message")
    func rejects() {
        #expect(throws: LossError.self) { try EuclideanDistanceTransform.distances([true], shape: []) }
        #expect(throws: LossError.self) { try EuclideanDistanceTransform.distances([true, false], shape: [3]) }
        #expect(throws: LossError.self) { try EuclideanDistanceTransform.distances([Bool](repeating: true, count: 16), shape: [2, 2, 2, 2]) }
        #expect(throws: LossError.self) { try EuclideanDistanceTransform.distances([true, false], shape: [1, 2], spacing: [1]) }
        #expect(throws: LossError.self) { try EuclideanDistanceTransform.distances([true, false], shape: [1, 2], spacing: [1, 0]) }
        #expect(throws: LossError.self) { try EuclideanDistanceTransform.distances([true, false], shape: [1, 2], spacing: [.nan, 1]) }
        #expect(throws: LossError.self) { try EuclideanDistanceTransform.distances([true, false], shape: [1, 2], spacing: [1, -.infinity]) }
        do {
            _ = try EuclideanDistanceTransform.distances([true, false], shape: [3])
        } catch {
            #expect("\(error)".contains("2 mask elements for 3 grid points"))
        }
    }

    @Test("a 512×512 disk is fast")
    func speed() throws {
        let n = 512
        let mask = (0..<(n * n)).map { i -> Bool in
            let (y, x) = (i / n - 256, i % n - 200)
            return y * y + x * x < 150 * 150
        }
        let start = Date()
        let d = try EuclideanDistanceTransform.distances(mask, shape: [n, n])
        let seconds = Date().timeIntervalSince(start)
        print("EDT 512×512 (debug build): \(String(format: "%.1f", seconds * 1000)) ms")
        #expect(abs(d[256 * n + 200] - 150) <= 1)
    }
}
