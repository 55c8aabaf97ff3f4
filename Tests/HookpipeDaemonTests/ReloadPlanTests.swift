import HookpipeConfig
import Testing

@testable import HookpipeDaemon

@Suite("ReloadPlan")
struct ReloadPlanTests {
    static func source(_ name: String, secret: String = "env:S") throws -> SourceConfig {
        let loaded = try ConfigLoader.load(string: """
            [[source]]
            name = "\(name)"
            path = "/hooks/\(name)"
            scheme = "github"
            secrets = ["\(secret)"]
            """, baseDirectory: "/etc/hookpipe", environment: [:])
        return loaded.config.sources[0]
    }

    @Test("sources added, removed and changed are named; an identical file changes nothing")
    func sources() throws {
        var old = PipelineConfig()
        old.sources = [try Self.source("a"), try Self.source("b")]
        #expect(ReloadPlan(running: old, new: old) == ReloadPlan(running: PipelineConfig(), new: PipelineConfig()))
        var new = old
        new.sources = [try Self.source("b", secret: "env:T"), try Self.source("c")]
        let plan = ReloadPlan(running: old, new: new)
        #expect(plan.sourcesAdded == ["c"])
        #expect(plan.sourcesRemoved == ["a"])
        #expect(plan.sourcesChanged == ["b"])
        #expect(!plan.chainChanged)
        #expect(plan.needsRestart.isEmpty)
    }

    @Test("listener, store, log and admin changes need a restart and keep their running values; TLS files, trusted proxies and the chain are live")
    func restartOnly() throws {
        let old = PipelineConfig()
        var new = old
        new.server.port = 9999
        new.server.tlsCertificate = "/c.pem"
        new.server.tlsKey = "/k.pem"
        new.server.trustedProxies = ["10.0.0.0/8"]
        new.store.retention = .seconds(60)
        new.log.level = .debug
        new.admin.port = 1
        new.chain.maxInFlight = 7
        let plan = ReloadPlan(running: old, new: new)
        #expect(plan.needsRestart == ["[server] port", "[store]", "[log]", "[admin]"])
        #expect(plan.chainChanged)
        let effective = ReloadPlan.effective(running: old, new: new)
        #expect(effective.server.port == old.server.port)
        #expect(effective.server.tlsCertificate == "/c.pem")
        #expect(effective.server.tlsKey == "/k.pem")
        #expect(effective.server.trustedProxies == ["10.0.0.0/8"])
        #expect(effective.store == old.store)
        #expect(effective.log == old.log)
        #expect(effective.admin == old.admin)
        #expect(effective.chain == new.chain)
    }
}
