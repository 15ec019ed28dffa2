import FocalTraining
import Foundation

/// Progress of long work (epochs, steps, images), for a terminal or a log file.
///
/// On a terminal it redraws one line in place (`\r`), at most every `redrawInterval` seconds:
///
///     train [#########...........]  37/100  ETA 1m12s  loss 0.4312  lr 1.0e-03
///
/// When the output is not a terminal (a log file, a pipe, `TERM=dumb`) it prints plain lines
/// instead — one each time another `linePercentStep` percent is done or `lineInterval`
/// seconds have passed, and one at the end:
///
///     train 37/100 (37%)  ETA 1m12s  loss 0.4312  lr 1.0e-03
///
/// The ETA comes from a moving average of the time per unit over the last
/// `rateWindow` updates, so it follows changes of speed without jumping at every step. Metric
/// values print with 4 decimals, or as `1.0e-03` when tiny or huge.
///
/// Output goes to standard output by default or to any closure (append to a
/// `TextOutputStream`, a log, a test buffer); the clock can be injected too. A `ProgressBar`
/// belongs to the code that drives the work: it is not meant to be shared between threads.
public final class ProgressBar {
    /// How the progress is shown.
    public enum Style: Sendable, Equatable {
        /// `.terminal` when the destination is a terminal, else `.lines`.
        case automatic
        /// One line redrawn in place.
        case terminal
        /// Plain lines at intervals.
        case lines
    }

    /// Where the text goes.
    public enum Destination {
        /// Standard output (a terminal when `isatty(1)` and `TERM` is not `dumb`).
        case standardOutput
        /// Standard error (a terminal when `isatty(2)` and `TERM` is not `dumb`).
        case standardError
        /// A closure receiving each piece of text; `isTerminal` decides `.automatic`.
        case custom(isTerminal: Bool, write: (String) -> Void)
    }

    /// Units of work in total.
    public let total: Int
    /// Text before the bar.
    public let label: String
    /// The style in effect (never `.automatic`).
    public let style: Style
    /// Characters in the bar.
    public var barWidth = 24
    /// Minimum seconds between two terminal redraws (the final state is always drawn).
    public var redrawInterval: Double = 0.1
    /// In `.lines` style, a line each time this many more percent are done.
    public var linePercentStep: Double = 10
    /// In `.lines` style, a line at least this often (seconds) while work goes on.
    public var lineInterval: Double = 30
    /// Updates averaged for the ETA.
    public var rateWindow = 20

    /// Units completed so far.
    public private(set) var completed = 0

    private let write: (String) -> Void
    private let clock: () -> Double
    private let start: Double
    private var metrics: [(String, Double)] = []
    private var samples: [(time: Double, completed: Int)] = []
    private var lastDraw = -Double.infinity
    private var lastLineTime: Double
    private var lastLinePercent = 0.0
    private var lastLineCompleted = -1
    private var metricsChangedSinceLine = false
    private var lastWidth = 0
    private var finished = false

    /// A progress display for `total` units (negative counts as 0).
    ///
    /// - Parameters:
    ///   - label: text shown first (e.g. `"epoch 3/100"`).
    ///   - style: `.automatic` picks `.terminal` for a terminal destination, else `.lines`.
    ///   - destination: standard output by default.
    ///   - clock: monotonic seconds (injectable for tests); system uptime by default.
    public init(
        total: Int, label: String = "", style: Style = .automatic, destination: Destination = .standardOutput,
        clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.total = max(0, total)
        self.label = label
        let isTerminal: Bool
        switch destination {
        case .standardOutput:
            isTerminal = ProgressBar.isTerminal(fileDescriptor: 1)
            write = { FileHandle.standardOutput.write(Data($0.utf8)) }
        case .standardError:
            isTerminal = ProgressBar.isTerminal(fileDescriptor: 2)
            write = { FileHandle.standardError.write(Data($0.utf8)) }
        case let .custom(terminal, w):
            isTerminal = terminal
            write = w
        }
        self.style = style == .automatic ? (isTerminal ? .terminal : .lines) : style
        self.clock = clock
        start = clock()
        lastLineTime = start
        samples = [(start, 0)]
    }

    /// True when `fileDescriptor` is a terminal and `TERM` is not `dumb`.
    public static func isTerminal(fileDescriptor: Int32) -> Bool {
        guard isatty(fileDescriptor) != 0 else { return false }
        return ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Sets the completed count (clamped to `0...total`) and the metrics to show, and redraws
    /// or prints a line when due.
    public func update(completed: Int, metrics: [(String, Double)]? = nil) {
        guard !finished else { return }
        let now = clock()
        self.completed = min(max(completed, 0), total)
        if let m = metrics {
            self.metrics = m
            metricsChangedSinceLine = true
        }
        if samples.last?.completed != self.completed || samples.count == 1 {
            samples.append((now, self.completed))
            if samples.count > rateWindow + 1 { samples.removeFirst(samples.count - rateWindow - 1) }
        }
        emit(now: now, final: false)
    }

    /// Adds `units` to the completed count (see `update(completed:metrics:)`).
    public func advance(by units: Int = 1, metrics: [(String, Double)]? = nil) {
        update(completed: completed + units, metrics: metrics)
    }

    /// Shows the final state (with the elapsed time) and ends the line. Later updates are
    /// ignored.
    public func finish(metrics: [(String, Double)]? = nil) {
        guard !finished else { return }
        if let m = metrics {
            self.metrics = m
            metricsChangedSinceLine = true
        }
        emit(now: clock(), final: true)
        finished = true
    }

    /// Prints a message on its own line without garbling the bar (a terminal bar is cleared,
    /// the message printed, the bar drawn again).
    public func log(_ message: String) {
        if style == .terminal && lastWidth > 0 && !finished {
            write("\r" + String(repeating: " ", count: lastWidth) + "\r" + message + "\n")
            lastWidth = 0
            draw(now: clock(), final: false)
        } else {
            write(message + "\n")
        }
    }

    /// Estimated seconds until `total`, from the moving average of the time per unit over the
    /// last `rateWindow` updates; nil before the first unit is done.
    public var estimatedSecondsRemaining: Double? {
        guard let first = samples.first, let last = samples.last, last.completed > first.completed else { return nil }
        let perUnit = (last.time - first.time) / Double(last.completed - first.completed)
        let remaining = Double(total - completed) * perUnit
        return remaining.isFinite ? max(0, remaining) : nil
    }

    /// Seconds since the bar was created.
    public var elapsedSeconds: Double { clock() - start }

    // MARK: - Output

    private func emit(now: Double, final: Bool) {
        switch style {
        case .terminal, .automatic:
            if final || completed == total || now - lastDraw >= redrawInterval { draw(now: now, final: final) }
            if final { write("\n") }
        case .lines:
            let percent = total == 0 ? 100 : 100 * Double(completed) / Double(total)
            let stepDue = linePercentStep > 0
                && (percent / linePercentStep).rounded(.down) > (lastLinePercent / linePercentStep).rounded(.down)
            let timeDue = lineInterval > 0 && now - lastLineTime >= lineInterval
            if final {
                // Skip a repeat of the 100% line unless finish brought new metrics.
                if lastLineCompleted != completed || metricsChangedSinceLine { printLine(now: now, final: true) }
            } else if stepDue || timeDue {
                printLine(now: now, final: false)
            }
        }
    }

    private func draw(now: Double, final: Bool) {
        let fraction = total == 0 ? 1 : Double(completed) / Double(total)
        let filled = min(barWidth, Int((fraction * Double(barWidth)).rounded(.down)))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
        let digits = String(total).count
        let count = String(repeating: " ", count: max(0, digits - String(completed).count)) + "\(completed)/\(total)"
        var parts = [label.isEmpty ? bar : "\(label) \(bar)", count]
        parts.append(final ? "in \(Self.duration(now - start))" : "ETA \(estimatedSecondsRemaining.map(Self.duration) ?? "--")")
        parts += metrics.map { "\($0.0) \(Self.format($0.1))" }
        let line = parts.joined(separator: "  ")
        let pad = max(0, lastWidth - line.count)
        write("\r" + line + String(repeating: " ", count: pad))
        lastWidth = line.count
        lastDraw = now
    }

    private func printLine(now: Double, final: Bool) {
        let percent = total == 0 ? 100 : 100 * Double(completed) / Double(total)
        var parts = ["\(label.isEmpty ? "" : label + " ")\(completed)/\(total) (\(Int(percent.rounded(.down)))%)"]
        if final || completed == total {
            parts.append("in \(Self.duration(now - start))")
        } else {
            parts.append("ETA \(estimatedSecondsRemaining.map(Self.duration) ?? "--")")
        }
        parts += metrics.map { "\($0.0) \(Self.format($0.1))" }
        write(parts.joined(separator: "  ") + "\n")
        lastLineTime = now
        lastLinePercent = percent
        lastLineCompleted = completed
        metricsChangedSinceLine = false
    }

    /// A metric value: 4 decimals, or `1.0e-03` style when |v| < 0.01 or ≥ 1e5 (0 prints `0`).
    public static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        let a = abs(v)
        return a < 0.01 || a >= 1e5 ? String(format: "%.1e", v) : String(format: "%.4f", v)
    }

    /// A duration: `45s`, `1m12s`, `2h03m`, `3d04h`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(max(0, seconds).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        return "\(s / 86_400)d\(String(format: "%02d", (s % 86_400) / 3600))h"
    }
}
