import FocalCore
import FocalTestSupport
import Testing

/// Construction, indexing, views, copy-on-write and printing of `Tensor`.
@Suite("Tensor")
struct TensorTests {
    @Test("contiguous copies of views (permuted, expanded, sliced, combined; small and large) match element-by-element reads")
    func contiguousCopiesOfViews() {
        var g = RandomGenerator(seed: 71)
        let x = Tensor(randomNormal: [2, 3, 40, 50], generator: &g)
        let channel = Tensor(randomNormal: [1, 3, 1, 1], generator: &g)
        let big = Tensor(randomNormal: [1, 8, 1, 1], generator: &g)
        let long = Tensor(randomNormal: [2, 3, 200, 300], generator: &g)
        let views: [Tensor] = [
            x.permuted([0, 2, 3, 1]), x.permuted([3, 1, 0, 2]),
            x.slice(axis: 3, 5..<45), x.slice(axis: 2, 1..<39).permuted([1, 0, 3, 2]),
            channel.expanded(to: [2, 3, 40, 50]), channel.reshaped([3, 1]).expanded(to: [2, 3, 40]),
            big.expanded(to: [1, 8, 128, 128]), x.slice(axis: 1, 1..<2).expanded(to: [2, 4, 40, 50]),
            // Rows longer than one copy piece (65,536 scalars): split across work items.
            long.slice(axis: 1, 1..<3), long.slice(axis: 3, 7..<299), channel.slice(axis: 1, 0..<2).expanded(to: [1, 2, 300, 300]),
        ]
        for v in views {
            let c = v.contiguous()
            #expect(c.isContiguous && c.shape == v.shape)
            var expected: [Float] = []
            expected.reserveCapacity(v.count)
            let sh = v.shape
            for i in 0..<v.count {
                var rem = i, p = v.offset
                for d in stride(from: sh.count - 1, through: 0, by: -1) { p += (rem % sh[d]) * v.strides[d]; rem /= sh[d] }
                expected.append(v.storage.pointer[p])
            }
            #expect(c.scalars == expected, "\(Shape.describe(v.shape)) strides \(v.strides)")
        }
    }

    @Test func constructionAndProperties() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3])
        #expect(t.strides == [3, 1])
        #expect(t.rank == 2)
        #expect(t.count == 6)
        #expect(t.isContiguous)
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
        #expect(t[0, 0] == 1 && t[0, 2] == 3 && t[1, 0] == 4 && t[1, 2] == 6)
        #expect(!t.requiresGrad)

        #expect(Tensor(zeros: [2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor(ones: [3]).scalars == [1, 1, 1])
        #expect(Tensor(repeating: 2.5, shape: [1, 2]).scalars == [2.5, 2.5])
        let s = Tensor(7)
        #expect(s.shape == [] && s.rank == 0 && s.count == 1 && s.item() == 7)
        let u = Tensor(shape: [4]) { buf in for i in 0..<buf.count { buf[i] = Float(i * i) } }
        #expect(u.scalars == [0, 1, 4, 9])
        #expect(Tensor(zeros: [0, 3]).count == 0)
        #expect(Shape.contiguousStrides([2, 3, 4]) == [12, 4, 1])
    }

    @Test func randomTensorsAreReproducibleAndInRange() {
        var g1 = RandomGenerator(seed: 42), g2 = RandomGenerator(seed: 42)
        let a = Tensor(randomUniform: [1000], low: -2, high: 3, generator: &g1)
        let b = Tensor(randomUniform: [1000], low: -2, high: 3, generator: &g2)
        #expect(a.scalars == b.scalars)
        #expect(g1 == g2)
        #expect(a.scalars.allSatisfy { $0 >= -2 && $0 < 3 })
        // The generator advanced: the next draw differs from the first.
        let c = Tensor(randomUniform: [1000], low: -2, high: 3, generator: &g1)
        #expect(c.scalars != a.scalars)

        var g3 = RandomGenerator(seed: 3)
        let n = Tensor(randomNormal: [20_000], mean: 1, std: 2, generator: &g3).scalars
        let mean = n.reduce(0.0) { $0 + Double($1) } / Double(n.count)
        let variance = n.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n.count)
        #expect(abs(mean - 1) < 0.05)
        #expect(abs(variance - 4) < 0.15)
    }

    @Test func itemOnViewsAndSubscriptThroughStrides() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.slice(axis: 1, 2..<3).slice(axis: 0, 1..<2).item() == 6)
        #expect(t.reshaped([6]).slice(axis: 0, 4..<5).item() == 5)
        let p = t.permuted([1, 0])  // [3, 2]
        #expect(p.shape == [3, 2])
        #expect(p[2, 1] == 6 && p[0, 1] == 4 && p[1, 0] == 2)
        #expect(Tensor(shape: [1, 1, 1], scalars: [-3]).item() == -3)
    }

    @Test func viewsShareStorage() {
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let r = t.reshaped([6, 4])
        let p = t.permuted([2, 0, 1])
        let s = t.slice(axis: 1, 1..<3)
        let e = Tensor(shape: [3, 1], scalars: [1, 2, 3]).expanded(to: [2, 3, 5])
        #expect(r.storage === t.storage)
        #expect(p.storage === t.storage)
        #expect(s.storage === t.storage)
        #expect(r.isContiguous && !p.isContiguous && !s.isContiguous && !e.isContiguous)
        #expect(p.strides == [1, 12, 4])
        #expect(s.offset == 4 && s.strides == [12, 4, 1])
        #expect(e.strides == [0, 1, 0])
        #expect(e.storage.count == 3)
        #expect(s.scalars == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        #expect(p[3, 1, 2] == t[1, 2, 3])
        #expect(e.scalars == [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3,
                              1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3])
    }

    @Test func contiguousCopiesOnlyWhenNeeded() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let same = t.contiguous()
        #expect(same.storage === t.storage)
        let p = t.permuted([1, 0])
        let c = p.contiguous()
        #expect(c.storage !== t.storage)
        #expect(c.isContiguous && c.offset == 0 && c.strides == [2, 1])
        #expect(c.scalars == [1, 4, 2, 5, 3, 6])
        // A contiguous slice (rows of a row-major matrix) is contiguous at an offset: no copy.
        let rows = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]).slice(axis: 0, 1..<3)
        #expect(rows.isContiguous && rows.offset == 2)
        #expect(rows.contiguous().storage === rows.storage)
        #expect(rows.withUnsafeBufferPointer { Array($0) } == [3, 4, 5, 6])
        // Size-1 dimensions do not break contiguity whatever their stride.
        let col = Tensor(shape: [3, 1], scalars: [1, 2, 3]).permuted([1, 0])
        #expect(col.isContiguous)
    }

    @Test func copyOnWrite() {
        let original = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        var copy = original
        copy.withUnsafeMutableBufferPointer { $0[0] = 100 }
        #expect(original.scalars == [1, 2, 3, 4])
        #expect(copy.scalars == [100, 2, 3, 4])
        #expect(copy.storage !== original.storage)

        // A uniquely referenced, contiguous tensor is written in place.
        var unique = Tensor(shape: [3], scalars: [1, 2, 3])
        let before = ObjectIdentifier(unique.storage)
        unique.withUnsafeMutableBufferPointer { $0[2] = 30 }
        #expect(ObjectIdentifier(unique.storage) == before)
        #expect(unique.scalars == [1, 2, 30])
    }

    @Test func mutatingAViewDoesNotTouchItsSource() {
        let base = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var view = base.slice(axis: 1, 1..<3)  // [[2, 3], [5, 6]], strided
        view.withUnsafeMutableBufferPointer { buf in
            #expect(buf.count == 4)
            #expect(Array(buf) == [2, 3, 5, 6])
            for i in 0..<buf.count { buf[i] *= 10 }
        }
        #expect(view.scalars == [20, 30, 50, 60])
        #expect(view.isContiguous && view.offset == 0 && view.storage.count == 4)
        #expect(base.scalars == [1, 2, 3, 4, 5, 6])

        var permuted = base.permuted([1, 0])
        permuted.withUnsafeMutableBufferPointer { $0[1] = -1 }  // element [0, 1] of the transpose
        #expect(permuted.scalars == [1, -1, 2, 5, 3, 6])
        #expect(base.scalars == [1, 2, 3, 4, 5, 6])

        var expanded = Tensor(shape: [2, 1], scalars: [1, 2]).expanded(to: [2, 3])
        expanded.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(expanded.scalars == [9, 1, 1, 2, 2, 2])

        var reshaped = base.reshaped([3, 2])
        reshaped.withUnsafeMutableBufferPointer { $0[5] = 0 }
        #expect(reshaped.scalars == [1, 2, 3, 4, 5, 0])
        #expect(base.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func description() {
        let t = Tensor(shape: [2, 2], scalars: [1, 2.5, -3, 0.125])
        #expect(t.description == "Tensor(shape: [2, 2], [1, 2.5, -3, 0.125])")
        #expect(Tensor(1.5).description == "Tensor(shape: [], [1.5])")
        let big = Tensor(shape: [10], scalars: (1...10).map(Float.init))
        #expect(big.description == "Tensor(shape: [10], [1, 2, 3, 4, 5, 6, 7, 8, … (10 scalars)])")
        #expect(t.requiringGradient().description == "Tensor(shape: [2, 2], [1, 2.5, -3, 0.125], requiresGrad)")
        #expect(Tensor(shape: [1], scalars: [1.0 / 3]).description == "Tensor(shape: [1], [0.33333])")
    }

    @Test func shapeHelpers() {
        #expect(Shape.broadcast([2, 1, 4], [3, 1]) == [2, 3, 4])
        #expect(Shape.broadcast([], [2, 3]) == [2, 3])
        #expect(Shape.broadcast([2, 3], [3, 2]) == nil)
        #expect(Shape.axis(-1, rank: 4) == 3)
        #expect(Shape.count([]) == 1)
        #expect(Shape.describe([1, 3, 256, 256]) == "[1, 3, 256, 256]")
    }
}

@Suite("Storage pool")
struct StoragePoolTests {
    @Test("a freed large buffer is handed out again for the same size")
    func reuse() {
        guard StoragePool.capacityBytes > 0 else { return }
        let count = StoragePool.minimumScalars + 4_093  // a size no other test uses
        var first: TensorStorage? = TensorStorage(repeating: 1, count: count)
        let address = first!.pointer
        first = nil
        let second = TensorStorage(uninitializedCount: count)
        #expect(second.pointer == address)
        #if DEBUG
        #expect(second.pointer[0].isNaN && second.pointer[count - 1].isNaN, "recycled memory is poisoned in debug builds")
        #endif
    }
}

@Suite("Views over storage are bounds-checked")
struct TensorViewBoundsTests {
    @Test("a view inside its storage is accepted, including negative-free broadcasts and empty shapes")
    func viewsInsideStorage() {
        let storage = TensorStorage(copying: (0..<6).map { Float($0) })
        #expect(Tensor(storage: storage, shape: [2, 3]).scalars == [0, 1, 2, 3, 4, 5])
        #expect(Tensor(storage: storage, shape: [3], strides: [2], offset: 1).scalars == [1, 3, 5])
        #expect(Tensor(storage: storage, shape: [4, 2], strides: [0, 1], offset: 4).scalars == [4, 5, 4, 5, 4, 5, 4, 5])
        #expect(Tensor(storage: storage, shape: [0, 9], offset: 6).count == 0)
    }

    @Test("a view reaching past its storage traps")
    func viewPastStorageTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor(storage: TensorStorage(repeating: 0, count: 4), shape: [2, 3])
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor(storage: TensorStorage(repeating: 0, count: 6), shape: [3], strides: [2], offset: 2)
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor(storage: TensorStorage(repeating: 0, count: 6), shape: [2], strides: [1], offset: -1)
        }
    }
}
