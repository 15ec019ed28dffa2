#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Recycles the memory of large tensors.
///
/// A training step allocates the same large activation and gradient buffers every step. Fresh
/// allocations of that size come from `mmap` and are page-faulted (and zeroed by the kernel) on
/// first touch — about 5% of a U-Net training step. Freed buffers of at least
/// `minimumScalars` scalars are kept here, by exact size, up to `capacityBytes` in all, and
/// handed out again for the next allocation of the same size. Thread-safe.
public enum StoragePool {
    /// Buffers smaller than this many scalars (256 KiB) are left to `malloc`.
    public static let minimumScalars = 1 << 16

    /// Most bytes kept in the pool (512 MiB, or `FOCAL_STORAGE_POOL_MIB`; 0 disables pooling).
    public static let capacityBytes: Int = {
        if let text = getenv("FOCAL_STORAGE_POOL_MIB").map({ String(cString: $0) }), let mib = Int(text), mib >= 0 {
            return mib << 20
        }
        return 512 << 20
    }()

    private struct State {
        var free: [Int: [UInt]] = [:]  // scalar count → addresses
        var bytes = 0
    }

    private static let state = Locked(State())

    /// A 64-byte aligned buffer of exactly `count` scalars (contents undefined).
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count >= minimumScalars, let address = state.withLock({ s -> UInt? in
            guard let address = s.free[count]?.popLast() else { return nil }
            s.bytes -= count * MemoryLayout<Float>.stride
            return address
        }) {
            let pointer = UnsafeMutablePointer<Float>(bitPattern: address)!
            #if DEBUG
            // Poison recycled memory in debug builds: a kernel that reads an output before
            // writing it (relying on fresh pages being zero) then produces NaN in the tests.
            pointer.update(repeating: .nan, count: count)
            #endif
            return pointer
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Returns a buffer from `allocate` to the pool, or frees it when it is small or the pool full.
    static func release(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let bytes = count * MemoryLayout<Float>.stride
        if count >= minimumScalars, state.withLock({ s -> Bool in
            guard s.bytes + bytes <= capacityBytes else { return false }
            s.free[count, default: []].append(UInt(bitPattern: pointer))
            s.bytes += bytes
            return true
        }) {
            return
        }
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    /// Bytes currently held for reuse.
    public static var pooledBytes: Int { state.withLock { $0.bytes } }

    /// Frees every pooled buffer (e.g. after training, before a memory-hungry phase).
    public static func drain() {
        let addresses = state.withLock { s -> [UInt] in
            let all = s.free.values.flatMap { $0 }
            s = State()
            return all
        }
        for a in addresses { UnsafeMutableRawPointer(bitPattern: a)!.deallocate() }
    }
}
