/// Compares two byte sequences in time that depends only on their lengths.
///
/// Every byte is visited even after the first difference, so the time taken
/// does not tell an attacker how many leading bytes of a forged signature were
/// right. Lengths are not secret (every digest of one algorithm has the same
/// length), so different lengths return `false` at once.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices {
        difference |= a[index] ^ b[index]
    }
    return difference == 0
}
