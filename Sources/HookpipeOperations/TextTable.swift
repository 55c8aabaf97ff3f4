/// Rows of text in left-aligned columns, for terminals (`status`, `dlq list`,
/// `replay --dry-run`). The last column is not padded.
public struct TextTable: Sendable {
    public var rows: [[String]]

    public init(header: [String]) {
        rows = [header]
    }

    public mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// The table, two spaces between columns, one line per row, each ending in `\n`.
    public func rendered(indent: String = "") -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        var text = ""
        for row in rows {
            var line = indent
            for (column, cell) in row.enumerated() {
                let isLast = column == row.count - 1
                line += isLast ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            text += line + "\n"
        }
        return text
    }
}
