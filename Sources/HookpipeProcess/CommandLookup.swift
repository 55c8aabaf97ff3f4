import Glibc

/// Finds the file to execute and checks the working directory before
/// anything is spawned, so that mistakes in `pipeline.conf` give errors that
/// say what is wrong instead of a bare `ENOENT` from `posix_spawn`.
enum CommandLookup {
    /// The path to hand to `posix_spawn` for `command`.
    ///
    /// A command containing `/` is used as given. A bare name is searched in
    /// the `PATH` of `environment` like `execvp` does: entries in order, an
    /// empty entry meaning the current directory, the first executable
    /// regular file wins. Relative results are relative to
    /// `workingDirectory`, where the child will be when it calls `exec`.
    static func resolve(
        _ command: String,
        environment: [String: String],
        workingDirectory: String?
    ) throws(SpawnError) -> String {
        if command.contains("/") {
            switch check(command, relativeTo: workingDirectory) {
            case .executable:
                return command
            case .missing:
                throw SpawnError(.commandNotFound, "command '\(command)' does not exist\(where: workingDirectory, command)")
            case .notExecutable(let what):
                throw SpawnError(.commandNotFound, "command '\(command)' is \(what)\(where: workingDirectory, command)")
            }
        }
        guard let searchPath = environment["PATH"] else {
            throw SpawnError(
                .commandNotFound,
                "command '\(command)' cannot be looked up: the environment has no PATH (set PATH or give a path with '/')"
            )
        }
        var unusable: [String] = []
        for entry in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = entry.isEmpty ? "./\(command)" : entry.hasSuffix("/") ? "\(entry)\(command)" : "\(entry)/\(command)"
            switch check(candidate, relativeTo: workingDirectory) {
            case .executable: return candidate
            case .missing: continue
            case .notExecutable(let what): unusable.append("'\(candidate)' is \(what)")
            }
        }
        let note = unusable.isEmpty ? "" : " (\(unusable.joined(separator: "; ")))"
        throw SpawnError(.commandNotFound, "command '\(command)' not found in PATH '\(searchPath)'\(note)")
    }

    /// Throws unless `directory` exists, is a directory and can be entered.
    static func checkWorkingDirectory(_ directory: String) throws(SpawnError) {
        var info = stat()
        if stat(directory, &info) != 0 {
            let reason = String(cString: strerror(errno))
            throw SpawnError(.badWorkingDirectory, "working directory '\(directory)' cannot be used: \(reason)")
        }
        if info.st_mode & S_IFMT != S_IFDIR {
            throw SpawnError(.badWorkingDirectory, "working directory '\(directory)' is not a directory")
        }
        if access(directory, X_OK) != 0 {
            let reason = String(cString: strerror(errno))
            throw SpawnError(.badWorkingDirectory, "working directory '\(directory)' cannot be entered: \(reason)")
        }
    }

    enum Verdict {
        case executable
        case missing
        /// Exists but cannot be executed; the payload says what it is instead.
        case notExecutable(String)
    }

    static func check(_ path: String, relativeTo directory: String?) -> Verdict {
        let located = path.hasPrefix("/") || directory == nil ? path : "\(directory!)/\(path)"
        var info = stat()
        guard stat(located, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .notExecutable("a directory")
        default: return .notExecutable("not a regular file")
        }
        return access(located, X_OK) == 0 ? .executable : .notExecutable("not executable")
    }
}

extension String.StringInterpolation {
    /// ` (in '/srv/hooks')` when a relative `path` was resolved against
    /// `directory`, nothing otherwise.
    fileprivate mutating func appendInterpolation(where directory: String?, _ path: String) {
        if let directory, !path.hasPrefix("/") {
            appendLiteral(" (in '\(directory)')")
        }
    }
}
