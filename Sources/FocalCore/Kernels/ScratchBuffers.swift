/// Reusable, 64-byte aligned scratch memory for kernels (im2col columns, Winograd tiles).
///
/// Large temporary buffers are taken from and returned to a small pool, so a training step
/// in the steady state allocates (and page-faults) no new scratch memory. Thread-safe.
package enum ScratchBuffers {
    private struct Block: Sendable {
        let address: UInt
        let count: Int
        var pointer: UnsafeMutablePointer<Float> { UnsafeMutablePointer(bitPattern: address)! }
    }

    private static let pool = Locked<[Block]>([])
    private static let maxPooled = 8

    /// Calls `body` with a buffer of at least `count` floats (contents undefined).
    package static func with<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let block = take(max(count, 1))
        defer { give(block) }
        return try body(block.pointer)
    }

    private static func take(_ count: Int) -> Block {
        let found: Block? = pool.withLock { list in
            var best: Int? = nil
            for (i, b) in list.enumerated() where b.count >= count {
                if best == nil || b.count < list[best!].count { best = i }
            }
            return best.map { list.remove(at: $0) }
        }
        if let found { return found }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
        return Block(address: UInt(bitPattern: raw), count: count)
    }

    private static func give(_ block: Block) {
        let evicted: Block? = pool.withLock { list in
            list.append(block)
            guard list.count > maxPooled else { return nil }
            // Drop the smallest: large buffers are the expensive ones to fault in again.
            let i = list.indices.min { list[$0].count < list[$1].count }!
            return list.remove(at: i)
        }
        if let evicted { UnsafeMutableRawPointer(evicted.pointer).deallocate() }
    }
}
