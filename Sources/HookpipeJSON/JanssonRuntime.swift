import CJansson

/// Process-wide jansson set-up.
///
/// jansson takes no locks, and seeds its hash function lazily on first use.
/// Every entry point of this module touches ``seeded`` first, so the seed is
/// set exactly once (Swift runs a static initialiser once, thread-safely)
/// before any object is created on any thread.
enum JanssonRuntime {
    static let seeded: Void = {
        json_object_seed(0)
    }()

    @inline(__always)
    static func ensureSeeded() {
        _ = seeded
    }
}
