import FocalCore
import FocalData
import FocalTraining
import Foundation
import Testing

@Suite("EarlyStopping")
struct EarlyStoppingTests {
    @Test("EarlyStopping: patience counted from the best epoch (hand-worked)")
    func earlyStopping() {
        var e = EarlyStopping(patience: 3, minDelta: 0)
        let metrics = [1.0, 0.9, 0.95, 0.92, 0.91, 0.5]
        var decisions: [Bool] = []
        for (i, m) in metrics.enumerated() {
            decisions.append(e.step(metric: m, epoch: i + 1))
            if i == 1 { #expect(e.bestEpoch == 2 && e.best == 0.9) }
        }
        // e1 best; e2 best (epoch 2); e3 wait 1; e4 wait 2; e5 wait 3 → stop at epoch 5.
        // A later improvement is recorded, but the decision stands.
        #expect(decisions == [false, false, false, false, true, true])
        #expect(e.stoppedEpoch == 5 && e.shouldStop && e.bestEpoch == 6 && e.best == 0.5)
    }

    @Test("EarlyStopping: minDelta, patience 0, NaN and baseline follow Keras")
    func earlyStoppingEdges() {
        func feed(_ e: inout EarlyStopping, _ metrics: [Double]) -> [Bool] {
            metrics.enumerated().map { e.step(metric: $0.element, epoch: $0.offset + 1) }
        }
        // 1 − 5e-8 is not an improvement over 1 with minDelta 1e-7 (wait 1); NaN never is (wait 2 → stop).
        var e = EarlyStopping(patience: 2, minDelta: 1e-7)
        #expect(feed(&e, [1, 1 - 5e-8]) == [false, false])
        #expect(e.wait == 1 && e.best == 1)
        #expect(feed(&e, [.nan]) == [true])
        // Patience 0 never stops on the first epoch, then stops at the first non-improvement.
        var z = EarlyStopping(patience: 0, minDelta: 0)
        #expect(feed(&z, [1, 0.5, 0.5]) == [false, false, true])
        // A baseline: improvements that do not beat it do not reset wait, but an improving
        // epoch never stops; the first non-improving one after patience does.
        var b = EarlyStopping(patience: 2, minDelta: 0, baseline: 0.5)
        #expect(feed(&b, [1.0, 0.9, 0.8]) == [false, false, false])
        #expect(b.wait == 3 && b.bestEpoch == 3)
        #expect(feed(&b, [0.85]) == [true])
    }

    @Test("Codable round trip (default JSONEncoder, infinite best) resumes the same decisions")
    func codableRoundTrip() throws {
        let encoder = JSONEncoder(), decoder = JSONDecoder()
        // A fresh state has best = -inf in max mode, which the default encoder refuses as a number.
        let freshStop = EarlyStopping(mode: .max)
        let decodedStop = try decoder.decode(EarlyStopping.self, from: encoder.encode(freshStop))
        #expect(decodedStop == freshStop && decodedStop.best == -.infinity)

        let metrics: [Double] = [1, 0.8, 0.8, 0.9, 0.8, 0.85, 0.79, 0.79, 0.9, 0.95, 0.9, 0.9, 0.9]
        var stop = EarlyStopping(patience: 4, minDelta: 1e-3)
        let straight = metrics.enumerated().map { stop.step(metric: $0.element, epoch: $0.offset + 1) }
        var stop2 = EarlyStopping(patience: 4, minDelta: 1e-3)
        var resumed: [Bool] = []
        for (i, m) in metrics.enumerated() {
            if i == 5 {  // "kill" the run and restore the state from JSON
                stop2 = try decoder.decode(EarlyStopping.self, from: encoder.encode(stop2))
            }
            resumed.append(stop2.step(metric: m, epoch: i + 1))
        }
        #expect(straight == resumed)
        #expect(stop == stop2)
        #expect(stop.shouldStop)
        let badStop = Data(#"{"patience":5,"minDelta":-1,"mode":"min","best":1.5,"wait":0,"epochsSeen":0}"#.utf8)
        #expect(throws: DecodingError.self) { try decoder.decode(EarlyStopping.self, from: badStop) }
        let goodStop = Data(#"{"patience":5,"minDelta":0,"mode":"max","best":"-inf","wait":2,"epochsSeen":3}"#.utf8)
        let decoded = try decoder.decode(EarlyStopping.self, from: goodStop)
        #expect(decoded.wait == 2 && decoded.best == -.infinity && decoded.bestEpoch == nil && !decoded.shouldStop)
    }
}
