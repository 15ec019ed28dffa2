import ArgumentParser
import FocalCore
import Foundation

/// "Did you mean …?" for an unknown option: ArgumentParser suggests a name only for some
/// misspellings (e.g. not for `--learnng-rat`); when it gives none, this adds the closest
/// options of the subcommand (edit distance, `ClosestNames`).
enum OptionSuggestions {
    /// `text` with a suggestion appended when it reports an unknown option.
    static func annotate(_ text: String, subcommand: String?) -> String {
        guard !text.contains("Did you mean"), let range = text.range(of: "Unknown option '"),
              let end = text[range.upperBound...].firstIndex(of: "'") else { return text }
        let option = String(text[range.upperBound..<end])
        let close = ClosestNames.suggestions(for: option, among: optionNames(of: subcommand))
        guard !close.isEmpty else { return text }
        return text + "; did you mean \(ClosestNames.alternatives(close))?"
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
