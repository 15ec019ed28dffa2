import ArgumentParser
import FocalTraining
import Foundation

/// Writes a line to standard output at once (unbuffered, so progress shows when piped).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `focal`: train, evaluate, predict with and prune Focal attention networks.
@main
struct Focal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "focal",
        abstract: "Biomedical image segmentation with Focal attention networks (Yeung et al., ISBI 2022).",
        discussion: "Run `focal train --preset nuclei` to train on the bundled nuclei tiles. See Docs/CLI.md.",
        subcommands: [
            TrainCommand.self, SelectCommand.self, EvaluateCommand.self, PredictCommand.self, PruneCommand.self,
            MapsCommand.self, LossCommand.self, SummaryCommand.self, BenchCommand.self, ReproduceCommand.self, ExportCommand.self,
        ])

    /// Parses and runs like ArgumentParser's `main()`, but reports every failure as one line
    /// on standard error (see `ErrorReporting`).
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            ErrorReporting.exit(with: error, subcommand: ErrorReporting.subcommandArgument)
        }
        if MPILaunch() != nil, !(command is TrainCommand) {
            let name = type(of: command).configuration.commandName ?? "focal"
            ErrorReporting.exit(with: CLIError("focal \(name) runs as one process; under mpirun only 'focal train' trains across ranks, so run it without mpirun"),
                                subcommand: name)
        }
        do {
            try command.run()
        } catch {
            ErrorReporting.exit(with: error, subcommand: type(of: command).configuration.commandName)
        }
    }
}
