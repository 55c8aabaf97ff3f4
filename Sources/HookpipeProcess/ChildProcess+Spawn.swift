import Glibc

extension ChildProcess {
    /// Signals whose action is reset to the default in the child: every
    /// standard signal (1...31) except `SIGKILL` and `SIGSTOP`, which cannot
    /// be changed. Ignored signals survive `exec`, and the daemon ignores at
    /// least `SIGPIPE`; a child that ignored `SIGPIPE`, `SIGTERM` or
    /// `SIGCHLD` would misbehave (endless `EPIPE` loops, unkillable, broken
    /// `wait`). Real-time signals are left alone (glibc reserves some).
    static let signalsResetInChild: [Int32] = (1..<32).filter { $0 != SIGKILL && $0 != SIGSTOP }

    /// Starts `spec` as a child process.
    ///
    /// The child:
    /// - runs `arguments[0]`, found as described in ``LaunchSpec/arguments``;
    ///   a missing command or working directory is reported before anything
    ///   is spawned;
    /// - gets exactly ``LaunchSpec/environment`` and starts in
    ///   ``LaunchSpec/workingDirectory``;
    /// - leads a new process group (`POSIX_SPAWN_SETPGROUP`, group 0), so
    ///   ``signalGroup(_:)`` reaches everything it starts;
    /// - starts with an empty signal mask and every catchable standard
    ///   signal at its default action (`SIGPIPE`, `SIGINT`, `SIGTERM`,
    ///   `SIGHUP`, `SIGQUIT`, ...), whatever the daemon ignores or blocks;
    /// - has pipes as stdin, stdout and stderr, and no other descriptor
    ///   (all of ours are close-on-exec; on glibc 2.34+ everything from 3 up
    ///   is also closed in the child, in case other code leaked one).
    ///
    /// - Throws: ``SpawnError``; no process is left and no descriptor leaks.
    public static func spawn(_ spec: LaunchSpec) throws(SpawnError) -> ChildProcess {
        let path = try preflight(spec)
        let command = spec.arguments[0]

        var pipes: StandardPipes
        do {
            pipes = try StandardPipes()
        } catch {
            throw SpawnError(.resources, "cannot start '\(command)': \(error)")
        }
        let pid: Int32
        do {
            pid = try launch(path: path, spec: spec, pipes: pipes)
        } catch {
            pipes.closeAll()
            throw error
        }
        let probe = pipes.closeChildEndsKeepingInputProbe()
        return ChildProcess(pid: pid, stdin: pipes.parentStdin, stdout: pipes.parentStdout, stderr: pipes.parentStderr,
                            inputProbe: probe)
    }

    /// The checks ``spawn(_:)`` makes before it starts anything: the spec is
    /// well-formed, the working directory can be entered, and the command is
    /// found (a bare name in the `PATH` of ``LaunchSpec/environment``) and is
    /// executable. Spawns nothing; `hookpipe check` uses it on every stage.
    ///
    /// - Returns: the path `posix_spawn` would be given.
    /// - Throws: ``SpawnError`` with ``SpawnError/Code/invalidSpec``,
    ///   ``SpawnError/Code/badWorkingDirectory`` or ``SpawnError/Code/commandNotFound``.
    public static func preflight(_ spec: LaunchSpec) throws(SpawnError) -> String {
        try validate(spec)
        if let directory = spec.workingDirectory {
            try CommandLookup.checkWorkingDirectory(directory)
        }
        return try CommandLookup.resolve(spec.arguments[0], environment: spec.environment, workingDirectory: spec.workingDirectory)
    }

    private static func validate(_ spec: LaunchSpec) throws(SpawnError) {
        guard let command = spec.arguments.first, !command.isEmpty else {
            throw SpawnError(.invalidSpec, "no command: arguments[0] must name the program to run")
        }
        for (index, argument) in spec.arguments.enumerated() where argument.utf8.contains(0) {
            throw SpawnError(.invalidSpec, "argument \(index) of '\(command)' contains a NUL byte")
        }
        for (name, value) in spec.environment {
            if name.isEmpty || name.contains("=") || name.utf8.contains(0) {
                throw SpawnError(.invalidSpec, "environment variable name '\(name)' for '\(command)' is empty or contains '=' or NUL")
            }
            if value.utf8.contains(0) {
                throw SpawnError(.invalidSpec, "environment variable '\(name)' for '\(command)' contains a NUL byte")
            }
        }
        if let directory = spec.workingDirectory, directory.isEmpty || directory.utf8.contains(0) {
            throw SpawnError(.invalidSpec, "working directory for '\(command)' is empty or contains a NUL byte")
        }
    }

    /// Sets up the file actions and attributes and calls `posix_spawn`.
    private static func launch(path: String, spec: LaunchSpec, pipes: StandardPipes) throws(SpawnError) -> Int32 {
        let command = spec.arguments[0]
        func check(_ result: Int32, _ call: String) throws(SpawnError) {
            if result != 0 {
                throw SpawnError(.resources, "cannot start '\(command)': \(call): \(String(cString: strerror(result)))")
            }
        }

        var actions = posix_spawn_file_actions_t()
        try check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init")
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        try check(posix_spawnattr_init(&attributes), "posix_spawnattr_init")
        defer { posix_spawnattr_destroy(&attributes) }

        if let directory = spec.workingDirectory {
            guard let addChdir = GNUExtensions.addChdir else {
                throw SpawnError(
                    .badWorkingDirectory,
                    "working directory '\(directory)' for '\(command)' cannot be applied: "
                        + "the C library lacks posix_spawn_file_actions_addchdir_np (glibc 2.29 or later)"
                )
            }
            try check(addChdir(&actions, directory), "posix_spawn_file_actions_addchdir_np")
        }
        try check(posix_spawn_file_actions_adddup2(&actions, pipes.childStdin, 0), "posix_spawn_file_actions_adddup2")
        try check(posix_spawn_file_actions_adddup2(&actions, pipes.childStdout, 1), "posix_spawn_file_actions_adddup2")
        try check(posix_spawn_file_actions_adddup2(&actions, pipes.childStderr, 2), "posix_spawn_file_actions_adddup2")
        if let addClosefrom = GNUExtensions.addClosefrom {
            try check(addClosefrom(&actions, 3), "posix_spawn_file_actions_addclosefrom_np")
        }

        var mask = sigset_t()
        sigemptyset(&mask)
        try check(posix_spawnattr_setsigmask(&attributes, &mask), "posix_spawnattr_setsigmask")
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in signalsResetInChild {
            sigaddset(&defaults, signal)
        }
        try check(posix_spawnattr_setsigdefault(&attributes, &defaults), "posix_spawnattr_setsigdefault")
        try check(posix_spawnattr_setpgroup(&attributes, 0), "posix_spawnattr_setpgroup")
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        try check(posix_spawnattr_setflags(&attributes, Int16(flags)), "posix_spawnattr_setflags")

        var argv: [UnsafeMutablePointer<CChar>?] = spec.arguments.map { strdup($0) }
        var envp: [UnsafeMutablePointer<CChar>?] = spec.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        guard !argv.contains(nil), !envp.contains(nil) else {
            throw SpawnError(.resources, "cannot start '\(command)': out of memory copying its arguments")
        }
        argv.append(nil)
        envp.append(nil)

        var pid: Int32 = 0
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer in
                posix_spawn(&pid, path, &actions, &attributes, argvBuffer.baseAddress!, envpBuffer.baseAddress!)
            }
        }
        // glibc reports failures of the child's file actions and of exec
        // here (and has already reaped that child), not as exit status 127.
        guard result == 0 else {
            let resolved = path == command ? "" : " ('\(path)')"
            let place = spec.workingDirectory.map { " in '\($0)'" } ?? ""
            throw SpawnError(
                .spawnFailed, "cannot start '\(command)'\(resolved)\(place): posix_spawn: \(String(cString: strerror(result)))")
        }
        return pid
    }
}
