public import HookpipeStore
import HookpipeJSON

extension EventFilter {
    /// The selection in words, for messages: `seq 5 to 9 of source stripe`.
    public var summary: String {
        var parts: [String] = []
        switch (fromSeq, toSeq) {
        case (let from?, let to?) where from == to: parts.append("seq \(from)")
        case (let from?, let to?): parts.append("seq \(from) to \(to)")
        case (let from?, nil): parts.append("seq \(from) and later")
        case (nil, let to?): parts.append("seq up to \(to)")
        case (nil, nil): break
        }
        if let dedupeKey { parts.append("id \"\(dedupeKey)\"") }
        if let source { parts.append("source \"\(source)\"") }
        if let since = receivedSinceMicros { parts.append("received since \(RFC3339.format(micros: since))") }
        return parts.isEmpty ? "the whole store" : parts.joined(separator: ", ")
    }
}
