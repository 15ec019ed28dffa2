/// "Did you mean …?" suggestions: the known names closest to a misspelt one.
public enum ClosestNames {
    /// The Levenshtein distance between `a` and `b` (insertions, deletions and substitutions
    /// of one character each cost 1), compared case-insensitively. `O(|a|·|b|)`.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count), current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// Up to `limit` names from `candidates` closest to `name`, best first (ties in the
    /// candidates' order). A candidate qualifies when its edit distance is at most a third of
    /// the longer name's length (at least 2), or when one name contains the other (`dice` for
    /// `dice_loss`); nothing qualifies for a name unlike every candidate.
    public static func suggestions(for name: String, among candidates: [String], limit: Int = 2) -> [String] {
        let key = name.lowercased()
        let scored = candidates.enumerated().compactMap { index, candidate -> (Int, Int, String)? in
            let other = candidate.lowercased()
            let distance = editDistance(key, other)
            let contains = key.count >= 3 && (other.contains(key) || key.contains(other))
            guard distance <= max(2, max(key.count, other.count) / 3) || contains else { return nil }
            return (distance, index, candidate)
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(limit).map(\.2)
    }

    /// "'a'", "'a' or 'b'", "'a', 'b' or 'c'".
    public static func alternatives(_ names: [String]) -> String {
        let quoted = names.map { "'\($0)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }
}
