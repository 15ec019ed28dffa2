import FocalData
import FocalCommandSupport
import FocalTraining
import Foundation
import Testing

/// A fake text stream and clock for driving a `ProgressBar` deterministically.
private final class Harness {
    var text = ""
    var writes: [String] = []
    var now = 100.0

    func bar(total: Int, label: String = "", terminal: Bool, style: ProgressBar.Style = .automatic) -> ProgressBar {
        ProgressBar(total: total, label: label, style: style,
                    destination: .custom(isTerminal: terminal) { [unowned self] s in
                        self.text.write(s)  // any TextOutputStream works the same way
                        self.writes.append(s)
                    },
                    clock: { [unowned self] in self.now })
    }

    /// The lines a terminal would show last for each `\r` redraw.
    var redraws: [String] { writes.filter { $0.hasPrefix("\r") }.map { String($0.dropFirst()) } }
}

@Suite("ProgressBar")
struct ProgressBarTests {
    @Test("terminal style: bar, count, ETA and metrics, redrawn with \\r")
    func terminal() {
        let h = Harness()
        let bar = h.bar(total: 100, terminal: true)
        bar.barWidth = 10
        #expect(bar.style == .terminal)
        for step in 1...37 {
            h.now += 0.5
            bar.update(completed: step, metrics: [("loss", 0.43121), ("lr", 1e-3)])
        }
        let last = h.redraws.last!.trimmingCharacters(in: .whitespaces)
        // 63 units left at 0.5 s each → 31.5 s.
        #expect(last == "[###.......]   37/100  ETA 32s  loss 0.4312  lr 1.0e-03")
        #expect(!h.text.contains("\n"))
        for step in 38...100 {
            h.now += 0.5
            bar.update(completed: step, metrics: [("loss", 0.2)])
        }
        bar.finish()
        #expect(h.text.hasSuffix("\n"))
        let final = h.redraws.last!.trimmingCharacters(in: .whitespaces)
        #expect(final == "[##########]  100/100  in 50s  loss 0.2000")
    }

    @Test("terminal redraws are rate-limited but the final state is always drawn")
    func rateLimit() {
        let h = Harness()
        let bar = h.bar(total: 1000, terminal: true)
        bar.redrawInterval = 0.1
        for step in 1...1000 {
            h.now += 0.001  // 1 s in total: about 10 redraws
            bar.update(completed: step)
        }
        #expect(h.redraws.count >= 9 && h.redraws.count <= 12)
        #expect(h.redraws.last!.contains("1000/1000"))
    }

    @Test("a shorter redraw pads over the previous line")
    func padding() {
        let h = Harness()
        let bar = h.bar(total: 10, terminal: true)
        h.now += 1
        bar.update(completed: 1, metrics: [("a_long_metric_name", 1.5)])
        h.now += 1
        bar.update(completed: 2, metrics: [])
        let r = h.redraws
        #expect(r[1].count == r[0].count)
        #expect(r[1].hasSuffix(" "))
    }

    @Test("plain lines every 10% when not a terminal, no carriage returns")
    func lines() {
        let h = Harness()
        let bar = h.bar(total: 100, label: "epoch 3", terminal: false)
        bar.lineInterval = 1_000
        #expect(bar.style == .lines)
        for step in 1...100 {
            h.now += 1
            bar.update(completed: step, metrics: [("loss", 0.5)])
        }
        bar.finish()
        let lines = h.text.split(separator: "\n").map(String.init)
        #expect(!h.text.contains("\r"))
        #expect(lines.count == 10)
        #expect(lines[0] == "epoch 3 10/100 (10%)  ETA 1m30s  loss 0.5000")
        #expect(lines[9] == "epoch 3 100/100 (100%)  in 1m40s  loss 0.5000")
        // New metrics at finish give one more final line.
        let h2 = Harness()
        let bar2 = h2.bar(total: 4, terminal: false)
        for step in 1...4 { bar2.update(completed: step) }
        bar2.finish(metrics: [("val_loss", 0.25)])
        let l2 = h2.text.split(separator: "\n")
        #expect(l2.count == 5 && l2.last!.hasSuffix("val_loss 0.2500"))
    }

    @Test("plain lines at a time interval when the percent step is off")
    func timedLines() {
        let h = Harness()
        let bar = h.bar(total: 1_000, terminal: false)
        bar.linePercentStep = 0
        bar.lineInterval = 5
        for step in 1...20 {
            h.now += 1
            bar.update(completed: step)
        }
        #expect(h.text.split(separator: "\n").count == 4)
    }

    @Test("ETA follows a moving average of recent speed")
    func eta() {
        let h = Harness()
        let bar = h.bar(total: 100, terminal: false)
        bar.rateWindow = 10
        #expect(bar.estimatedSecondsRemaining == nil)
        for step in 1...50 {
            h.now += 1
            bar.update(completed: step)
        }
        #expect(abs(bar.estimatedSecondsRemaining! - 50) < 1e-9)
        for step in 51...70 {
            h.now += 0.1
            bar.update(completed: step)
        }
        #expect(abs(bar.estimatedSecondsRemaining! - 3) < 1e-6)
    }

    @Test("counts are clamped, log lines do not garble the bar, late updates are ignored")
    func edges() {
        let h = Harness()
        let bar = h.bar(total: 10, terminal: true)
        h.now += 1
        bar.update(completed: 25)
        #expect(bar.completed == 10)
        bar.update(completed: -3)
        #expect(bar.completed == 0)
        bar.advance(by: 4)
        #expect(bar.completed == 4)
        let before = h.redraws.count
        bar.log("epoch 1: val_loss 0.31")
        #expect(h.text.contains("\repoch 1: val_loss 0.31\n") || h.text.contains("\r" + "epoch 1: val_loss 0.31\n"))
        #expect(h.redraws.count > before)  // redrawn after the message
        bar.finish()
        let length = h.text.count
        bar.update(completed: 9)
        #expect(h.text.count == length)
        let empty = Harness()
        let zero = empty.bar(total: 0, terminal: false)
        zero.finish()
        #expect(empty.text == "0/0 (100%)  in 0s\n")
    }

    @Test("value and duration formatting")
    func formatting() {
        #expect(ProgressBar.format(0.43121) == "0.4312")
        #expect(ProgressBar.format(1e-3) == "1.0e-03")
        #expect(ProgressBar.format(0) == "0")
        #expect(ProgressBar.format(123_456) == "1.2e+05")
        #expect(ProgressBar.format(.nan) == "nan")
        #expect(ProgressBar.duration(45) == "45s")
        #expect(ProgressBar.duration(72) == "1m12s")
        #expect(ProgressBar.duration(7_380) == "2h03m")
        #expect(ProgressBar.duration(3 * 86_400 + 4 * 3600) == "3d04h")
        #expect(ProgressBar.duration(.infinity) == "--")
    }
}
