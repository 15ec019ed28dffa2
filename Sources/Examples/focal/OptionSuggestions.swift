import ArgumentParser
import FocalCore
import Foundation

/// "Did you mean …?" for an unknown option: ArgumentParser suggests a name only for some
/// misspellings (e.g. not for `--learnng-rat`); when it gives none, this adds the closest
/// options of the subcommand (edit distance, `ClosestNames`).
enum OptionSuggestions {
    /// `text` with a suggestion appended when it reports an unknown option. A misspelt required
    /// option (`predict --modle m.safetensors`) makes ArgumentParser report the missing one
    /// ("Missing expected argument '--model'"); when `arguments` hold an option the subcommand
    /// does not have, that is reported instead, with its closest names.
    static func annotate(_ text: String, subcommand: String?, arguments: [String] = []) -> String {
        if text.hasPrefix("Missing expected argument"), let unknown = unknownOption(in: arguments, subcommand: subcommand) {
            return annotate("Unknown option '\(unknown)'", subcommand: subcommand)
        }
        guard !text.contains("Did you mean"), let range = text.range(of: "Unknown option '"),
              let end = text[range.upperBound...].firstIndex(of: "'") else { return text }
        let option = String(text[range.upperBound..<end])
        let close = ClosestNames.suggestions(for: option, among: optionNames(of: subcommand))
        guard !close.isEmpty else { return text }
        return text + "; did you mean \(ClosestNames.alternatives(close))?"
    }

    /// The first long option in `arguments` (before a `--` terminator) that `subcommand` does
    /// not have, without any `=value`.
    static func unknownOption(in arguments: [String], subcommand: String?) -> String? {
        let known = Set(optionNames(of: subcommand) + ["--help", "--version"])
        for argument in arguments {
            if argument == "--" { break }
            guard argument.hasPrefix("--"), argument.count > 2 else { continue }
            let name = String(argument.prefix { $0 != "=" })
            if !known.contains(name) { return name }
        }
        return nil
    }

    /// The long options (`--masks`, `--no-focal`, …) of a subcommand, read from its help text.
    static func optionNames(of subcommand: String?) -> [String] {
        let type = Focal.configuration.subcommands.first { $0.configuration.commandName == subcommand } ?? Focal.self
        let help = Focal.helpMessage(for: type, columns: 1000)
        var names: [String] = []
        var seen = Set<String>()
        var rest = Substring(help)
        while let start = rest.range(of: "--") {
            let tail = rest[start.upperBound...]
            let name = tail.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            rest = tail.dropFirst(name.count)
            guard let first = name.first, first.isLetter else { continue }
            let option = "--" + name
            if seen.insert(option).inserted { names.append(option) }
        }
        return names
    }
}
