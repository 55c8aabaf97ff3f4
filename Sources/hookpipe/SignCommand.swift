import ArgumentParser
import Foundation
import HookpipeConfig
import HookpipeDaemon
import HookpipeJSON
import HookpipeReceiver
import HookpipeVerification

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Make a correctly signed request for a configured source, as its provider would.",
        discussion: """
            Signs BODY with the source's first secret and prints a ready-to-run curl \
            command (or, with --send, posts it and prints the answer). For MercadoPago \
            the `data.id` and `type` query parameters are taken from the body unless \
            given with --query.

            Examples:
              hookpipe sign --source stripe \\
                --data '{"id":"evt_1","type":"payment_intent.succeeded"}'
              hookpipe sign --source mercadopago --body payment.json --send
              echo '{"action":"opened"}' | hookpipe sign --source github \\
                --body - --send
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Name of the configured source to sign for.")
    var source: String

    @Option(help: "The JSON body, inline.")
    var data: String?

    @Option(help: "Read the JSON body from this file ('-' for stdin).")
    var body: String?

    @Option(name: .customLong("query"), help: "Extra query parameter NAME=VALUE (repeatable).")
    var queryParameters: [String] = []

    @Option(help: "Base URL of the receiver. Default: the configured listener.")
    var url: String?

    @Flag(help: "Send the request instead of printing it.")
    var send = false

    func validate() throws {
        if data != nil && body != nil { throw ValidationError("give either --data or --body, not both") }
        if data == nil && body == nil { throw ValidationError("give the body with --data '<json>' or --body FILE") }
        for parameter in queryParameters where !parameter.contains("=") {
            throw ValidationError("--query expects NAME=VALUE, found \"\(parameter)\"")
        }
        if let url, Self.baseURL(url) == nil {
            throw ValidationError("--url expects the receiver's base URL, like http://127.0.0.1:8080; found \"\(url)\"")
        }
        try validateSourceName(source, configFile: options.config)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let loaded = try loadConfig(options.config, environment: environment)
        guard let sourceConfig = loaded.config.sources.first(where: { $0.name == source }) else {
            throw usageError(unknownSourceMessage(source, in: loaded.config, configFile: options.config), in: Self.self)
        }
        let runtime: SourceRuntime
        do {
            runtime = try SourceFactory.make(sourceConfig, configFile: options.config, environment: environment)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let payload = try readBody()
        if case .failure(let error) = JSONDocument.parse(payload) {
            throw usageError("the body is not valid JSON (\(error)); the receiver would answer 400", in: Self.self)
        }
        var query = queryParameters.map { parameter -> (name: String, value: String) in
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        if runtime.scheme.name == SchemeKind.mercadopago.rawValue {
            query = Self.mercadoPagoQuery(payload: payload, given: query)
        }
        let signed = runtime.scheme.sign(body: payload, query: query, now: Date())
        let scheme = loaded.config.server.tlsCertificate == nil ? "http" : "https"
        let base = url ?? "\(scheme)://\(loaded.config.server.host == "0.0.0.0" ? "127.0.0.1" : loaded.config.server.host):\(loaded.config.server.port)"
        let target = Self.target(base: base, path: runtime.path) + Self.queryString(signed.query)
        if send {
            try await Self.post(to: target, signed: signed)
        } else {
            print(Self.curlCommand(target: target, signed: signed))
        }
    }

    private func readBody() throws -> [UInt8] {
        switch (data, body) {
        case (let data?, nil):
            return Array(data.utf8)
        case (nil, "-"):
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        case (nil, let path?):
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw usageError("cannot read the body file \(path)", in: Self.self)
            }
            return Array(contents)
        case (nil, nil), (.some, .some):
            throw usageError("give the body with either --data '<json>' or --body FILE", in: Self.self)
        }
    }

    /// MercadoPago puts `data.id` and `type` in the query; take them from the body when not given.
    static func mercadoPagoQuery(payload: [UInt8], given: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var query = given
        guard case .success(let document) = JSONDocument.parse(payload) else { return query }
        if !query.contains(where: { $0.name == "data.id" }), let id = document.scalarText(at: "/data/id") {
            query.append(("data.id", id))
        }
        if !query.contains(where: { $0.name == "type" }), let type = document.scalarText(at: "/type") {
            query.append(("type", type))
        }
        return query
    }

    static func queryString(_ query: [(name: String, value: String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return "?" + query.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }

    static func curlCommand(target: String, signed: SignedRequest) -> String {
        var lines = ["curl -sS -X POST \(shellQuote(target))", "  -H 'Content-Type: application/json'"]
        for (name, value) in signed.headers {
            lines.append("  -H \(shellQuote("\(name): \(value)"))")
        }
        lines.append("  --data-binary \(shellQuote(String(decoding: signed.body, as: UTF8.self)))")
        return lines.joined(separator: " \\\n")
    }

    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
