import HookpipeDaemon
import Testing

@Suite("DescriptorBudget: connections never take the descriptors the store and stages need")
struct DescriptorBudgetTests {
    @Test("under systemd's default 1024, max_connections 1024 is lowered by the reserve")
    func lowered() {
        let budget = DescriptorBudget(descriptorLimit: 1024, configured: 1024, threads: 2, stages: 3, adminConnections: 64)
        #expect(budget.reserve == 32 + 3 * 2 + 8 * 3 + 64 + 80)
        #expect(budget.maxConnections == 1024 - budget.reserve)
        #expect(budget.lowered)
    }

    @Test("a limit with room keeps the configured number")
    func kept() {
        let budget = DescriptorBudget(descriptorLimit: 65_536, configured: 1024, threads: 64, stages: 10, adminConnections: 0)
        #expect(budget.maxConnections == 1024)
        #expect(!budget.lowered)
    }

    @Test("an absurdly low limit still leaves a few connections")
    func floor() {
        let budget = DescriptorBudget(descriptorLimit: 100, configured: 1024, threads: 2, stages: 1, adminConnections: 64)
        #expect(budget.maxConnections == 8)
    }

    @Test("the raised soft limit is the hard one, and reading it works")
    func currentLimit() throws {
        let limit = try #require(DescriptorLimit.current())
        #expect(limit.soft <= limit.hard)
        #expect(limit.soft > 0)
    }
}
