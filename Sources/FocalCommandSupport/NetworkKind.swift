import FocalCore
import FocalNets

/// The three networks of the paper, by the names the command line uses (`--network`,
/// `focal bench --networks`): the plain U-Net, the USE-Net (an SE block at every position) and
/// the Attention U-Net (a gate on every skip connection).
public enum NetworkKind: String, CaseIterable, Sendable {
    case unet
    case useNet = "use-net"
    case attentionUNet = "attention-unet"

    /// The kind called `name`, or an error naming the closest kinds.
    public static func named(_ name: String) throws(NetworkKindError) -> NetworkKind {
        guard let kind = NetworkKind(rawValue: name.lowercased()) else { throw NetworkKindError(name: name) }
        return kind
    }

    /// The kind's attention plan for a network of `depth` levels (`focal`: Focal layers on
    /// the modules).
    public func plan(depth: Int, focal: Bool) -> AttentionPlan {
        switch self {
        case .unet: .none
        case .useNet: .squeezeExcitation(depth: depth, focal: focal)
        case .attentionUNet: .attentionGates(depth: depth, focal: focal)
        }
    }

    /// `base` with this kind's plan (Focal modules) for its depth.
    public func configuration(from base: UNetConfiguration, focal: Bool = true) -> UNetConfiguration {
        var c = base
        c.plan = plan(depth: c.depth, focal: focal)
        return c
    }
}

/// A network name that is not one of `NetworkKind`'s.
public struct NetworkKindError: Error, CustomStringConvertible {
    /// The name given.
    public let name: String

    public var description: String {
        let names = NetworkKind.allCases.map(\.rawValue)
        let close = ClosestNames.suggestions(for: name, among: names)
        let hint = close.isEmpty ? "" : "; did you mean \(ClosestNames.alternatives(close))?"
        return "unknown network '\(name)'\(hint) (networks: \(names.joined(separator: ", ")))"
    }
}
