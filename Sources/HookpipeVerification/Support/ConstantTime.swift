/// Compares two byte sequences in time that depends only on their lengths.
///
/// Every byte is visited even after the first difference, so the time taken
/// does not tell an attacker how many leading bytes of a forged signature were
/// right. Lengths are not secret (every digest of one algorithm has the same
/// length), so different lengths return `false` at once.
///
/// Generic so that a test can count the element reads (`ConstantTimeTests`);
/// callers pass `[UInt8]`, for which it is specialised.
func constantTimeEquals<Bytes: Collection<UInt8>>(_ a: Bytes, _ b: Bytes) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) {
        difference |= x ^ y
    }
    return difference == 0
}
