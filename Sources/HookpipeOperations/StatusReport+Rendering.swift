import HookpipeDaemon
import HookpipeJSON
import HookpipeStore

extension StatusReport {
    /// Whether the daemon runs (healthy or degraded).
    public var isRunning: Bool {
        if case .notRunning = state { return false }
        return true
    }

    /// The chain as the running daemon reported it; `nil` while it is down,
    /// or when its report is stale.
    var liveChain: StatusSnapshot.Chain? {
        if case .stale = state { return nil }
        return isRunning ? snapshot?.chain : nil
    }

    /// The store's free space as a line: `FULL` when it has no room for another commit.
    var diskLine: String? {
        guard let diskFreeBytes else { return nil }
        let free = "\(diskFreeBytes / 1024) KiB free"
        return storeFull ? "FULL (\(free)): new events are refused with 503 store_full until space is freed" : free
    }

    /// For people: the state on the first line, then the store's numbers and the stages.
    public func text() -> String {
        var text = "hookpipe: "
        switch state {
        case .running: text += "running"
        case .degraded(let failed): text += "DEGRADED, failing: \(failed.joined(separator: ", "))"
        case .stale(let why): text += "running, but \(why) (cannot write it, or hung)"
        case .notRunning(let why): text += "not running: \(why)"
        }
        if isRunning, let snapshot {
            text += "; pid \(snapshot.pid), up since \(RFC3339.format(micros: snapshot.startedAtMicros)), listening on \(snapshot.listener)"
        }
        text += "\n"
        var facts = TextTable(header: ["store:", storePath])
        if isRunning, let snapshot {
            facts.add(["store check:", snapshot.storeCheck.hasPrefix("damaged") ? snapshot.storeCheck + " (see the log)" : snapshot.storeCheck])
        }
        if let diskLine { facts.add(["store disk:", diskLine]) }
        facts.add(["last seq:", String(lastSeq)])
        if let checkpoint, let backlog {
            facts.add(["checkpoint:", "\(checkpoint) (backlog \(backlog))"])
        } else {
            facts.add(["checkpoint:", "none (no [[stage]] configured: events are stored, not processed)"])
        }
        facts.add(["dead letters:", deadLetters == 0 ? "0" : "\(deadLetters) (see hookpipe dlq list)"])
        if let chain = liveChain {
            facts.add(["chain:", "\(chain.inFlight) in flight, \(chain.invalidLines) invalid lines, \(chain.deadLettered) dead-lettered since start"])
        }
        text += facts.rendered()
        if let cluster {
            text += clusterText(cluster)
        }
        if let chain = liveChain {
            var table = TextTable(header: ["STAGE", "PHASE", "PID", "RESTARTS", "DRAINS", "HELD", "IN", "OUT"])
            for stage in chain.stages {
                table.add([stage.name, stage.failed ? "FAILED (\(stage.phase))" : stage.phase, stage.pid.map(String.init) ?? "-",
                           String(stage.restarts), String(stage.drains), String(stage.held), String(stage.linesIn), String(stage.linesOut)])
            }
            text += table.rendered()
        } else if !stages.isEmpty {
            text += "stages:       \(stages.joined(separator: ", ")) (state unknown while the daemon is down)\n"
        }
        return text
    }

    /// For scripts: one JSON object and a newline. `chain` is present only while the daemon runs.
    public func json() -> [UInt8] {
        let object = JSONObjectBuilder()
        switch state {
        case .running:
            object.set("state", "running")
        case .degraded(let failed):
            object.set("state", "degraded")
            object.set("failed_stages", failed)
        case .stale(let why):
            object.set("state", "running_stale")
            object.set("reason", why)
        case .notRunning(let why):
            object.set("state", "not_running")
            object.set("reason", why)
        }
        object.set("store_full", storeFull)
        if let diskFreeBytes { object.set("store_disk_free_bytes", diskFreeBytes) } else { object.setNull("store_disk_free_bytes") }
        object.set("exit_code", Int64(exitCode))
        if let snapshot {
            object.set("pid", Int64(snapshot.pid))
            object.set("started_at", RFC3339.format(micros: snapshot.startedAtMicros))
            object.set("updated_at", RFC3339.format(micros: snapshot.updatedAtMicros))
            object.set("listener", snapshot.listener)
            object.set("sources", snapshot.sources)
            object.set("store_check", snapshot.storeCheck)
        }
        object.set("store", storePath)
        object.set("last_seq", lastSeq)
        if let checkpoint, let backlog {
            object.set("checkpoint", checkpoint)
            object.set("backlog", backlog)
        } else {
            object.setNull("checkpoint")
            object.setNull("backlog")
        }
        object.set("dead_letters", Int64(deadLetters))
        object.set("stages", stages)
        if let chain = liveChain {
            object.set("chain", Self.json(chain))
        }
        if let cluster {
            let entry = JSONObjectBuilder()
            if let holder = cluster.holder { entry.set("holder", holder) } else { entry.setNull("holder") }
            entry.set("epoch", cluster.epoch)
            if let since = cluster.heldSinceMicros { entry.set("held_since", RFC3339.format(micros: since)) } else { entry.setNull("held_since") }
            entry.set("unsequenced", cluster.unsequenced)
            entry.set("nodes", cluster.nodes.map { node in
                let item = JSONObjectBuilder()
                item.set("node", node.id)
                item.set("role", node.id == cluster.holder ? "chain_holder" : "receiver")
                item.set("started_at", RFC3339.format(micros: node.startedAtMicros))
                item.set("seen_at", RFC3339.format(micros: node.seenAtMicros))
                return item
            })
            object.set("cluster", entry)
        }
        var bytes = object.serialized()
        bytes.append(0x0A)
        return bytes
    }

    private static func json(_ chain: StatusSnapshot.Chain) -> JSONObjectBuilder {
        let object = JSONObjectBuilder()
        object.set("in_flight", Int64(chain.inFlight))
        object.set("invalid_lines", Int64(chain.invalidLines))
        object.set("dead_lettered", Int64(chain.deadLettered))
        object.set("stages", chain.stages.map { stage in
            let entry = JSONObjectBuilder()
            entry.set("name", stage.name)
            entry.set("phase", stage.phase)
            if let pid = stage.pid { entry.set("pid", Int64(pid)) } else { entry.setNull("pid") }
            entry.set("restarts", Int64(stage.restarts))
            entry.set("drains", Int64(stage.drains))
            entry.set("failed", stage.failed)
            entry.set("held", Int64(stage.held))
            entry.set("lines_in", stage.linesIn)
            entry.set("lines_out", stage.linesOut)
            return entry
        })
        return object
    }

    /// The chain lease's holder and every node seen recently.
    func clusterText(_ cluster: ChainCluster) -> String {
        var facts = TextTable(header: ["chain holder:", cluster.holder.map { holder in
            "\(holder) (epoch \(cluster.epoch)\(cluster.heldSinceMicros.map { ", since \(RFC3339.format(micros: $0))" } ?? ""))"
        } ?? "none: no node holds the chain lease (the chain is not running)"])
        facts.add(["unsequenced:", "\(cluster.unsequenced) committed event(s) waiting for a seq"])
        var table = TextTable(header: ["NODE", "ROLE", "STARTED", "LAST SEEN"])
        for node in cluster.nodes {
            table.add([node.id, node.id == cluster.holder ? "chain holder" : "receiver (standby)",
                       RFC3339.format(micros: node.startedAtMicros), RFC3339.format(micros: node.seenAtMicros)])
        }
        return facts.rendered() + table.rendered()
    }
}
