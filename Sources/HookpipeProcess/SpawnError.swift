/// Why a child process could not be started.
///
/// `message` is for people: it names the command and, depending on the
/// problem, the `PATH` searched, the working directory or the failing call.
/// `code` is stable and meant for programs and tests; new codes may be added.
/// When spawning fails, no process is left behind and no descriptor leaks.
public struct SpawnError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `command_not_found`.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's stable name.
        public var description: String { rawValue }

        /// The command does not exist, is not an executable file, or is a
        /// bare name and the environment has no `PATH` to look it up in.
        public static let commandNotFound = Code("command_not_found")
        /// The working directory does not exist, is not a directory, or
        /// cannot be entered.
        public static let badWorkingDirectory = Code("bad_working_directory")
        /// The launch specification cannot be passed to the system: no
        /// arguments, a NUL byte in a string, `=` in an environment name.
        public static let invalidSpec = Code("invalid_spec")
        /// Preparing the spawn failed (e.g. too many open files for the pipes).
        public static let resources = Code("resources")
        /// `posix_spawn` itself failed, e.g. `exec` refused the file.
        public static let spawnFailed = Code("spawn_failed")
    }

    /// The kind of problem.
    public let code: Code
    /// The full human-readable explanation.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
