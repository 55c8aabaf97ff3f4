/// Draws the marks the chain settles by: 64 random bits per event from the
/// system's generator (`getrandom`).
///
/// A mark is unguessable to a sender — it is drawn when the event is fed,
/// never stored, never in an acknowledgement — so no content a sender
/// controls can pass for one, whatever a stage does with the payload.
enum EventMarks {
    /// A fresh mark.
    static func next() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}
