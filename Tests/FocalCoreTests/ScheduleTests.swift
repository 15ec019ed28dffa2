import FocalCore
import Foundation
import Testing

/// Feeds `metrics` to `schedule` starting from `lr` and returns the learning rate after each epoch.
private func rates(_ schedule: inout ReduceLROnPlateau, _ metrics: [Double], lr: Float) -> [Float] {
    var lr = lr
    return metrics.map { m in
        lr = schedule.step(metric: m, learningRate: lr)
        return lr
    }
}

@Suite("Schedules")
struct ScheduleTests {
    @Test("ReduceLROnPlateau: patience, Keras's cooldown counting and the floor (hand-worked)")
    func plateauPatienceAndFloor() {
        // patience 2, cooldown 1, factor 0.5, floor 0.3, a flat metric:
        // e1 best; e2 wait 1; e3 wait 2 → 0.5 (cooldown 1); e4 the cooldown runs out in the same
        // epoch, wait 1; e5 wait 2 → max(0.25, 0.3) = 0.3; e6 wait 1; e7 wait 2 but already at
        // the floor → unchanged, wait stays 2; e8 improves → wait 0.
        var s = ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 0, cooldown: 1, minLearningRate: 0.3)
        let lrs = rates(&s, [1, 1, 1, 1, 1, 1, 1], lr: 1)
        #expect(lrs == [1, 1, 0.5, 0.5, 0.3, 0.3, 0.3])
        #expect(s.wait == 2 && s.reductions == 2 && s.best == 1)
        _ = s.step(metric: 0.5, learningRate: 0.3)
        #expect(s.wait == 0 && s.best == 0.5)
    }

    @Test("ReduceLROnPlateau: a cooldown of 2 suspends counting for one epoch (hand-worked)")
    func plateauCooldown() {
        // e1 best 1; e2 wait 1 → 0.1, cooldown 2; e3 cooldown → 1, in cooldown: no count;
        // e4 cooldown → 0, wait 1 → 0.01, cooldown 2; e5 cooldown → 1, improves (best 0.5);
        // e6 cooldown → 0, wait 1 → 0.001, cooldown 2.
        var s = ReduceLROnPlateau(factor: 0.1, patience: 1, minDelta: 0, cooldown: 2, minLearningRate: 0)
        var lr: Float = 1
        var seen: [Float] = []
        var cooldowns: [Int] = []
        for m in [1.0, 2, 2, 2, 0.5, 0.6] {
            lr = s.step(metric: m, learningRate: lr)
            seen.append(lr)
            cooldowns.append(s.cooldownCounter)
        }
        let expected: [Float] = [1, Float(Double(Float(1)) * 0.1), 0.1, Float(Double(Float(0.1)) * 0.1), 0.01,
                                 Float(Double(Float(0.01)) * 0.1)]
        #expect(seen == expected, "\(seen)")
        #expect(cooldowns == [0, 2, 1, 2, 1, 2])
        #expect(s.best == 0.5 && s.reductions == 3)
    }

    @Test("ReduceLROnPlateau: improvements must beat best by more than minDelta; NaN never improves")
    func plateauMinDelta() {
        var s = ReduceLROnPlateau(factor: 0.1, patience: 3, minDelta: 0.1, cooldown: 0, minLearningRate: 0)
        _ = s.step(metric: 1.0, learningRate: 1)
        _ = s.step(metric: 0.95, learningRate: 1)   // 0.95 < 0.9 is false
        #expect(s.wait == 1 && s.best == 1.0)
        _ = s.step(metric: .nan, learningRate: 1)
        #expect(s.wait == 2 && s.best == 1.0)
        _ = s.step(metric: 0.85, learningRate: 1)
        #expect(s.wait == 0 && s.best == 0.85)
        // Max mode: higher is better.
        var up = ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 0, cooldown: 0, minLearningRate: 0, mode: .max)
        #expect(rates(&up, [0.5, 0.7, 0.6], lr: 1) == [1, 1, 0.5])
    }

    @Test("ReduceLROnPlateau: the paper's defaults reduce 1e-3 after 25 flat epochs, down to 1e-4")
    func plateauPaperDefaults() {
        var s = ReduceLROnPlateau()
        #expect(s.factor == 0.1 && s.patience == 25 && s.minDelta == 1e-7 && s.cooldown == 1 && s.minLearningRate == 1e-4)
        var lr: Float = 1e-3
        var changes: [Int] = []
        for epoch in 1...200 {
            let new = s.step(metric: 1 - 5e-8 * Double(epoch % 2), learningRate: lr)
            if new != lr { changes.append(epoch) }
            lr = new
        }
        // Epoch 1 sets best (1 − 5e-8); the later values differ from it by less than minDelta. First reduction after
        // 25 more epochs (26), then each 25 epochs later (cooldown 1 does not delay counting),
        // until the rate reaches the floor.
        #expect(changes.first == 26)
        #expect(lr == 1e-4, "\(lr)")
        #expect(changes.allSatisfy { ($0 - 26) % 25 == 0 }, "\(changes)")
    }

    @Test("Codable round trip (default JSONEncoder, infinite best) resumes the same decisions")
    func codableRoundTrip() throws {
        let encoder = JSONEncoder(), decoder = JSONDecoder()
        // Fresh states have best = +inf, which the default encoder refuses as a number.
        let fresh = ReduceLROnPlateau()
        #expect(try decoder.decode(ReduceLROnPlateau.self, from: encoder.encode(fresh)) == fresh)

        let metrics: [Double] = [1, 0.8, 0.8, 0.9, 0.8, 0.85, 0.79, 0.79, 0.9, 0.95, 0.9, 0.9, 0.9]
        var plateau = ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 1e-3, cooldown: 2, minLearningRate: 0.01)
        var lr: Float = 0.1
        var straight: [Float] = []
        for m in metrics {
            lr = plateau.step(metric: m, learningRate: lr)
            straight.append(lr)
        }
        var plateau2 = ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 1e-3, cooldown: 2, minLearningRate: 0.01)
        var lr2: Float = 0.1
        var resumed: [Float] = []
        for (i, m) in metrics.enumerated() {
            if i == 5 {  // "kill" the run and restore the state from JSON
                plateau2 = try decoder.decode(ReduceLROnPlateau.self, from: encoder.encode(plateau2))
            }
            lr2 = plateau2.step(metric: m, learningRate: lr2)
            resumed.append(lr2)
        }
        #expect(straight == resumed)
        #expect(plateau == plateau2)
        #expect(plateau.reductions > 0)
        // A corrupt value is a DecodingError, not a crash.
        let bad = Data(#"{"factor":0.1,"patience":25,"minDelta":1e-7,"cooldown":1,"minLearningRate":1e-4,"mode":"min","best":"huge","wait":0,"cooldownCounter":0,"reductions":0}"#.utf8)
        #expect(throws: DecodingError.self) { try decoder.decode(ReduceLROnPlateau.self, from: bad) }
        // Out-of-range fields are rejected too.
        let negative = Data(#"{"factor":0.1,"patience":-3,"minDelta":1e-7,"cooldown":1,"minLearningRate":1e-4,"mode":"min","best":"inf","wait":0,"cooldownCounter":0,"reductions":0}"#.utf8)
        #expect(throws: DecodingError.self) { try decoder.decode(ReduceLROnPlateau.self, from: negative) }
    }
}
