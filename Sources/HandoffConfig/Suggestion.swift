/// "Did you mean" hints: a typo must not pass silently, and the message should say what was meant.
public enum Suggestion {
    /// Longest word, and longest candidate, compared (in characters). The edit distance costs the
    /// product of both lengths for every candidate; no typo of a key, a name or a time zone is
    /// longer, and a megabyte-long value must be rejected at once, not after minutes of work.
    public static let maximumLength = 64

    /// The candidate closest to `word` when it is close enough to be a plausible typo; nil at
    /// once for a word longer than `maximumLength`, and candidates longer than that are skipped.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        guard word.utf8.count <= 4 * maximumLength, word.unicodeScalars.count <= maximumLength else { return nil }
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate.unicodeScalars.count <= maximumLength {
            if candidate.lowercased() == lowered { return candidate }
            let distance = editDistance(lowered, candidate.lowercased())
            if let current = best,
                distance > current.distance || (distance == current.distance && candidate >= current.candidate)
            {
                continue
            }
            best = (candidate, distance)
        }
        guard let best else { return nil }
        let limit = max(1, min(3, max(word.count, best.candidate.count) / 3))
        return best.distance <= limit ? best.candidate : nil
    }

    /// `; did you mean "x"?` or an empty string.
    public static func hint(for word: String, in candidates: some Sequence<String>) -> String {
        closest(to: word, in: candidates).map { "; did you mean \"\($0)\"?" } ?? ""
    }

    /// Levenshtein distance with transpositions counted as one edit (optimal string alignment).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
