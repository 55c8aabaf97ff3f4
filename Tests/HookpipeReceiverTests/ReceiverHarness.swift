import Foundation
import HookpipeReceiver
import HookpipeStore
import HookpipeVerification
import Logging
import NIOCore
import NIOPosix

/// A real listener on 127.0.0.1 (port chosen by the kernel) in front of a
/// real SQLite store in a temporary directory.
final class ReceiverHarness: Sendable {
    let directory: String
    let store: any EventStore
    let server: ReceiverServer
    let group: MultiThreadedEventLoopGroup
    let port: Int

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// - Parameters:
    ///   - directory: reuse a state directory (restart tests); default a new one.
    ///   - store: a store to use instead of a new SQLite one.
    init(sources: [SourceRuntime], directory: String? = nil, store: (any EventStore)? = nil,
         maxBodyBytes: Int = 1 << 20, maxHeaderBytes: Int = 16 << 10, maxConnections: Int = 512, requestTimeout: Duration = .seconds(10),
         idleTimeout: Duration = .seconds(30), firstByteTimeout: Duration? = nil, trustedProxies: TrustedProxies? = nil,
         now: @escaping @Sendable () -> Date = Date.init) async throws {
        let directory = directory ?? NSTemporaryDirectory() + "hookpipe-receiver-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        let store = try store ?? SQLiteEventStore(path: directory + "/hookpipe.sqlite", logger: Self.logger)
        self.store = store
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        server = ReceiverServer(
            settings: .init(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes, maxHeaderBytes: maxHeaderBytes,
                            maxConnections: maxConnections, requestTimeout: requestTimeout, idleTimeout: idleTimeout, retryAfterSeconds: 7,
                            firstByteTimeout: firstByteTimeout),
            ingest: Ingest(sources: sources, trustedProxies: trustedProxies, now: now), store: store, group: group, logger: Self.logger)
        try await server.bind()
        port = server.localAddress?.port ?? 0
    }

    /// Closes the listener and the store, leaving the directory for a restart.
    func stop() async throws {
        await server.close()
        await store.close()
        try await group.shutdownGracefully()
    }

    func removeDirectory() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Signs `body` for `source` and posts it; `extraHeaders` replace signed headers of the same name.
    func postSigned(_ source: SourceRuntime, body: String, query: [(name: String, value: String)] = [],
                    at date: Date = Date(), extraHeaders: [(String, String)] = []) async throws -> RawHTTPResponse {
        let signed = source.scheme.sign(body: Array(body.utf8), query: query, now: date)
        let queryString = signed.query.isEmpty ? "" : "?" + signed.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        return try await RawHTTPClient.post(port: port, path: source.path + queryString,
                                            headers: Self.merge(signed.headers.map { ($0.name, $0.value) }, extraHeaders), body: signed.body)
    }

    static func merge(_ headers: [(String, String)], _ overrides: [(String, String)]) -> [(String, String)] {
        let replaced = Set(overrides.map { $0.0.lowercased() })
        return headers.filter { !replaced.contains($0.0.lowercased()) } + overrides
    }
}

/// Builds a source the way the daemon does, from a scheme kind and secrets.
func makeSource(_ kind: SchemeKind, name: String? = nil, secrets: [String] = ["test-secret-0123456789"],
                hmac: GenericHMACSettings? = nil, allowIPs: [String] = [], dedupeKey: DedupeKeyRule? = nil,
                tolerance: Duration? = nil) throws -> SourceRuntime {
    let scheme = try SignatureSchemes.make(kind, secrets: secrets.map(Secret.init), tolerance: tolerance, hmac: hmac)
    let name = name ?? kind.rawValue
    return SourceRuntime(name: name, path: "/hooks/\(name)", scheme: scheme,
                         allowList: allowIPs.isEmpty ? nil : try AddressAllowList(allowIPs),
                         dedupeKey: dedupeKey ?? scheme.defaultDedupeKey, dedupeWindow: .seconds(3600))
}

/// A whole signed HTTP/1.1 request for `source` as raw bytes; a Stripe
/// signature can be replaced by `signatureOverride`.
func signedRequestBytes(_ source: SourceRuntime, body: String, signatureOverride: String? = nil, close: Bool = false) -> [UInt8] {
    let signed = source.scheme.sign(body: Array(body.utf8), query: [], now: Date())
    var head = "POST \(source.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(signed.body.count)\r\n"
    for header in signed.headers {
        let value = header.name.lowercased() == "stripe-signature" ? (signatureOverride ?? header.value) : header.value
        head += "\(header.name): \(value)\r\n"
    }
    if close { head += "Connection: close\r\n" }
    return Array((head + "\r\n").utf8) + signed.body
}
