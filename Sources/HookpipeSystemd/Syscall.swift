import Glibc

/// Runs `body` until it does not fail with `EINTR`; a result of -1 is a
/// failure with `errno` set and is thrown as a ``SystemdError`` naming `call`.
@inline(__always)
func retryingSyscall<Result: BinaryInteger>(
    _ call: String,
    _ detail: @autoclosure () -> String,
    _ body: () -> Result
) throws(SystemdError) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = errno
        if error != EINTR {
            throw SystemdError.systemCall(call, detail(), errno: error)
        }
    }
}
