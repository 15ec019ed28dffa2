import FocalCore
import Foundation
import Testing

@Suite("Modules: one task at a time")
struct ExclusiveUseTests {
    @Test("withExclusiveUse returns its body's result; uses one after the other are fine")
    func sequentialUses() {
        let m = Module()
        #expect(m.withExclusiveUse { 1 } == 1)
        #expect(m.withExclusiveUse { 2 } == 2)
    }

    #if DEBUG
    @Test("a second task entering while one is inside traps in debug builds, naming the rule")
    func concurrentUseTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            final class Net: Module, @unchecked Sendable {}
            let net = Net()
            let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                net.withExclusiveUse {
                    inside.signal()
                    release.wait()
                }
            }
            inside.wait()
            net.withExclusiveUse {}
            release.signal()
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("Net: used by two tasks at once"), "\(text)")
    }
    #endif
}
