import Glibc

/// glibc functions that Swift does not import, because their declarations are
/// only visible with `_GNU_SOURCE`. They are looked up once, by name, in the
/// already loaded C library; `nil` means this C library lacks the function.
enum GNUExtensions {
    /// `int pipe2(int fds[2], int flags)`, glibc 2.9.
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    /// `int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *, const char *)`, glibc 2.29.
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    /// `int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *, int)`, glibc 2.34.
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Creates a pipe with flags (here `O_CLOEXEC`) set atomically.
    static let pipe2: Pipe2? = lookUp("pipe2", as: Pipe2.self)
    /// Adds a `chdir` to the actions a spawned child performs before `exec`.
    static let addChdir: AddChdir? = lookUp("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    /// Adds "close every descriptor from n up" to a spawned child's actions.
    static let addClosefrom: AddClosefrom? = lookUp("posix_spawn_file_actions_addclosefrom_np", as: AddClosefrom.self)

    private static func lookUp<Function>(_ name: String, as type: Function.Type) -> Function? {
        // A nil handle is RTLD_DEFAULT: search the global scope (the C library).
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}
