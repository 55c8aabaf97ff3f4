/// Increasing numbers (sequence numbers, input line numbers) gathered into
/// inclusive runs, so that a message can name thousands of them in a few
/// words (`seq 1–4, 7, 9–12`) and a rerun can be given as ranges.
///
/// Whether a number joins the run before it is the caller's decision: it
/// knows whether anything that belongs elsewhere lies between them.
public struct NumberRuns<Number: BinaryInteger & Sendable>: Sendable, Equatable {
    /// The runs, in increasing order.
    public private(set) var ranges: [ClosedRange<Number>] = []
    /// How many numbers were added.
    public private(set) var count = 0

    public init() {}

    /// Adds `number`, greater than every number added before. It extends the
    /// last run when it follows it directly, or when `joining` says that
    /// nothing between the two should be kept apart from them.
    public mutating func add(_ number: Number, joining: Bool = false) {
        count += 1
        if let last = ranges.last, joining || number == last.upperBound + 1 {
            ranges[ranges.count - 1] = last.lowerBound...number
        } else {
            ranges.append(number...number)
        }
    }

    /// Whether nothing was added.
    public var isEmpty: Bool { ranges.isEmpty }

    /// `1–4, 7, 9–12`.
    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)–\($0.upperBound)" }
            .joined(separator: ", ")
    }
}
