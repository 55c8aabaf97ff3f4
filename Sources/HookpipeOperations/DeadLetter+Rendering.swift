public import HookpipeStore
import HookpipeJSON

extension DeadLetter {
    /// `dlq list`: one row per letter, the reason last.
    public static func table(_ letters: [DeadLetter]) -> String {
        var table = TextTable(header: ["ID", "SEQ", "STAGE", "CREATED", "REASON"])
        for letter in letters {
            table.add([String(letter.id), String(letter.seq), letter.stage, RFC3339.format(micros: letter.createdAtMicros), letter.reason])
        }
        return table.rendered()
    }

    /// `dlq show`: every field, the stage's stderr and the line it was given.
    public var detail: String {
        var facts = TextTable(header: ["dead letter:", String(id)])
        facts.add(["event seq:", String(seq)])
        facts.add(["stage:", stage])
        facts.add(["reason:", reason])
        facts.add(["created:", RFC3339.format(micros: createdAtMicros)])
        var text = facts.rendered()
        text += "stderr (last \(stderrTail.count) line\(stderrTail.count == 1 ? "" : "s")):\n"
        for line in stderrTail { text += "  " + line + "\n" }
        text += "line given to the stage:\n  " + String(decoding: line, as: UTF8.self) + "\n"
        return text
    }

    /// One JSON object: the fields, and the line spliced in as it is (`"line":{…}`).
    public var json: [UInt8] {
        let object = JSONObjectBuilder()
        object.set("id", id)
        object.set("seq", seq)
        object.set("stage", stage)
        object.set("reason", reason)
        object.set("created_at", RFC3339.format(micros: createdAtMicros))
        object.set("stderr_tail", stderrTail)
        // The runner only hands stages lines that jansson accepted; splice it unless it is somehow not JSON.
        if case .success = JSONDocument.parse(line) {
            return object.serialized(appendingRaw: "line", line)
        }
        object.set("line", String(decoding: line, as: UTF8.self))
        return object.serialized()
    }
}
