/// Whether a monitored metric improves by going down (a loss) or up (an accuracy), as in
/// Keras's `mode="min"` / `mode="max"`.
public enum MetricMode: String, Codable, Sendable, Equatable {
    /// Lower is better (losses).
    case min
    /// Higher is better (scores).
    case max

    /// The starting "best" value that any finite metric improves on: +∞ for `min`, −∞ for `max`.
    public var worst: Double { self == .min ? .infinity : -.infinity }
}

/// A `Double` that survives `JSONEncoder`'s default strategy, which refuses infinities and NaN:
/// finite values are written as numbers, the others as the strings "inf", "-inf" and "nan".
/// The schedules' `best` values start at ±∞, so their `Codable` state needs this (`package`:
/// shared with FocalTraining's `EarlyStopping`).
package struct PortableDouble: Codable, Sendable, Equatable {
    package var value: Double

    package init(_ value: Double) { self.value = value }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let d = try? container.decode(Double.self) {
            value = d
            return
        }
        let text = try container.decode(String.self)
        switch text {
        case "inf": value = .infinity
        case "-inf": value = -.infinity
        case "nan": value = .nan
        default:
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a number, \"inf\", \"-inf\" or \"nan\", found \"\(text)\"")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isFinite {
            try container.encode(value)
        } else if value.isNaN {
            try container.encode("nan")
        } else {
            try container.encode(value > 0 ? "inf" : "-inf")
        }
    }

    package static func == (a: PortableDouble, b: PortableDouble) -> Bool {
        a.value == b.value || (a.value.isNaN && b.value.isNaN)
    }
}
