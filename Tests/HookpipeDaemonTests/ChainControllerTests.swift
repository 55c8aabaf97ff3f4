import Foundation
import HookpipeConfig
import HookpipeStore
import Logging
import Testing

@testable import HookpipeDaemon

@Suite("ChainController")
struct ChainControllerTests {
    @Test("retention follows the chain across reloads: bounded by its checkpoint once stages are added, by age once removed")
    func consumerFollowsReloads() async throws {
        let directory = NSTemporaryDirectory() + "hookpipe-controller-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try SQLiteEventStore(path: directory + "/db.sqlite", logger: logger)
        let controller = ChainController(config: ChainConfig(), store: store, stateDirectory: directory, path: nil, logger: logger)
        try await controller.prepare()
        #expect(controller.consumer == nil)
        var withStage = ChainConfig()
        withStage.stages = [StageConfig(name: "cat", command: ["cat"])]
        try await controller.replace(with: withStage)
        #expect(controller.consumer == "chain")
        try await controller.replace(with: ChainConfig())
        #expect(controller.consumer == nil)
        await controller.stop()
        await store.close()
    }
}
