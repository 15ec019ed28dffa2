import ArgumentParser
import FocalCore
import FocalNets
import FocalData
import FocalTraining
import Foundation

/// `focal summary`: a network's plan, layers and parameter count.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a model's configuration, attention plan, layers and parameter counts (from a file, or from network options).")

    @Option(help: "A model file; without it the network options describe the network.") var model: String?
    @OptionGroup var network: NetworkOptions
    @Option(help: "Input channels when describing from options.") var inChannels: Int = 3
    @Option(help: "Classes when describing from options.") var classes: Int = 2
    @Flag(help: "List every parameter tensor.") var parameters = false

    func run() throws {
        let net: any SegmentationNetwork
        if let model {
            net = try InputFiles.loadModel(model, allowNonFinite: true)
        } else {
            var gen = RandomGenerator(seed: 0)
            net = try UNet(configuration: try network.apply(to: UNetConfiguration(inChannels: inChannels, classes: classes)), generator: &gen)
        }
        say((net as? CustomStringConvertible)?.description ?? type(of: net).kind)
        if let unet = net as? UNet { say("attention plan: \(unet.plan)") }
        say("")
        say(ModuleSummary.text(of: net, listParameters: parameters))
        say("total parameters: \(net.parameterCount.formatted())")
        let nonFinite = net.nonFiniteTensors()
        if !nonFinite.isEmpty {
            say("warning: \(NonFiniteStateError(moduleType: "the model", tensors: nonFinite)); predict, evaluate and prune refuse it")
        }
        if !net.focalWeights.isEmpty {
            say("Focal ε: " + net.focalWeights.map { "\($0.position) \(String(format: "%.4f", $0.epsilon))" }.joined(separator: ", "))
        }
    }
}
