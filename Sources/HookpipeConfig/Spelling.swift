/// Suggestions for misspelt names ("did you mean …?").
enum Spelling {
    /// The candidate closest to `word`, if it is close enough to be a likely typo
    /// (a few edits away, or `word` abbreviates it, as `warn` does `warning`).
    static func closest(to word: String, among candidates: [String]) -> String? {
        if word.count >= 3, let longer = candidates.first(where: { $0.lowercased().hasPrefix(word.lowercased()) }) {
            return longer
        }
        let lowered = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased()))
            let allowed = min(2, max(1, candidate.count / 3))
            if distance <= allowed, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // rows[i][j]: distance between a[..<i] and b[..<j]
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var distance = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    distance = min(distance, rows[i - 2][j - 2] + 1)
                }
                rows[i][j] = distance
            }
        }
        return rows[a.count][b.count]
    }

    /// `"a", "b" or "c"`: quoted names joined for a message.
    static func list(_ names: [String], quoted: Bool = true, conjunction: String = "or") -> String {
        let shown = quoted ? names.map { "\"\($0)\"" } : names
        guard let last = shown.last else { return "" }
        if shown.count == 1 { return last }
        return shown.dropLast().joined(separator: ", ") + " \(conjunction) " + last
    }
}
