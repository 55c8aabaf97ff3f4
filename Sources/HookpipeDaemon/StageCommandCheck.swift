public import HookpipeConfig
import HookpipeProcess

/// `hookpipe check`'s look at the chain: whether each stage could be started
/// as the daemon would start it, without starting anything.
///
/// The stage's environment is built as the chain builds it: `PATH` is the
/// daemon's own (the one `check` runs with stands in for it) or
/// `/usr/local/bin:/usr/bin:/bin` when there is none, and the stage's
/// `environment` may replace it. The command is then looked up there (a bare
/// name) or relative to the working directory (a path), as `run` does.
public enum StageCommandCheck {
    /// One problem per stage that could not be started: `[[stage]] "name": <why>`.
    /// Empty when every stage's command and working directory are usable.
    public static func problems(_ chain: ChainConfig, daemonPath: String?) -> [String] {
        chain.stages.compactMap { stage -> String? in
            var environment = ["PATH": daemonPath ?? LaunchSpec.defaultSearchPath]
            environment.merge(stage.environment) { _, configured in configured }
            let spec = LaunchSpec(arguments: stage.command, environment: environment, workingDirectory: stage.workingDirectory)
            do throws(SpawnError) {
                _ = try ChildProcess.preflight(spec)
                return nil
            } catch {
                let origin = stage.environment["PATH"] != nil ? "the stage's environment" : "the PATH hookpipe runs with"
                let note = error.code == .commandNotFound && !stage.command[0].contains("/") ? " (PATH from \(origin))" : ""
                return "[[stage]] \"\(stage.name)\": \(error.message)\(note); `hookpipe run` could not start this stage"
            }
        }
    }
}
