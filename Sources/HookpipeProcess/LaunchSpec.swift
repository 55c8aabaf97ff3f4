/// What to run, with what environment, where.
///
/// Nothing is inherited from the daemon: the child sees exactly
/// ``environment``, and a bare command name is looked up in that
/// environment's `PATH`, not the daemon's.
public struct LaunchSpec: Sendable, Hashable {
    /// The argument vector. `arguments[0]` is the command: a path when it
    /// contains a `/` (relative paths are relative to ``workingDirectory``,
    /// as for `execvp` in the child), otherwise a name looked up in the
    /// `PATH` of ``environment``.
    public var arguments: [String]
    /// The child's complete environment. It must contain `PATH` when
    /// `arguments[0]` is a bare name; there is no default search path.
    public var environment: [String: String]
    /// The directory the child starts in; `nil` keeps the daemon's.
    public var workingDirectory: String?

    /// The `PATH` handlers get when the daemon itself has none.
    public static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// Creates a launch specification.
    public init(arguments: [String], environment: [String: String], workingDirectory: String? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}
