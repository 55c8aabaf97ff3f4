import ArgumentParser
import Foundation
import HookpipeConfig
import HookpipeDaemon
import HookpipeJSON
import HookpipeReceiver
import HookpipeVerification
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
              hookpipe sign --source stripe --data '{"id":"evt_1","type":"payment_intent.succeeded"}'
              hookpipe sign --source mercadopago --body payment.json --send
              echo '{"action":"opened"}' | hookpipe sign --source github --body - --send
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

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let loaded = try loadConfig(options.config, environment: environment)
        guard let sourceConfig = loaded.config.sources.first(where: { $0.name == source }) else {
            let names = loaded.config.sources.map(\.name).joined(separator: ", ")
            throw ValidationError("no source named \"\(source)\" in \(options.config); configured: \(names)")
        }
        let runtime: SourceRuntime
        do {
            runtime = try SourceFactory.make(sourceConfig, configFile: options.config, environment: environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let payload = try readBody()
        if case .failure(let error) = JSONDocument.parse(payload) {
            throw ValidationError("the body is not valid JSON (\(error)); the receiver would answer 400")
        }
        var query = try queryParameters.map { parameter -> (name: String, value: String) in
            guard let equals = parameter.firstIndex(of: "=") else {
                throw ValidationError("--query expects NAME=VALUE, found \"\(parameter)\"")
            }
            return (String(parameter[..<equals]), String(parameter[parameter.index(after: equals)...]))
        }
        if runtime.scheme.name == SchemeKind.mercadopago.rawValue {
            query = Self.mercadoPagoQuery(payload: payload, given: query)
        }
        let signed = runtime.scheme.sign(body: payload, query: query, now: Date())
        let scheme = loaded.config.server.tlsCertificate == nil ? "http" : "https"
        let base = url ?? "\(scheme)://\(loaded.config.server.host == "0.0.0.0" ? "127.0.0.1" : loaded.config.server.host):\(loaded.config.server.port)"
        let target = base + runtime.path + Self.queryString(signed.query)
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
                throw ValidationError("cannot read the body file \(path)")
            }
            return Array(contents)
        case (nil, nil):
            throw ValidationError("give the body with --data '<json>' or --body FILE")
        case (.some, .some):
            throw ValidationError("give either --data or --body, not both")
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

    static func post(to target: String, signed: SignedRequest) async throws {
        guard let url = URL(string: target) else { throw ValidationError("not a valid URL: \(target)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("hookpipe-sign/\(Hookpipe.configuration.version)", forHTTPHeaderField: "User-Agent")
        for (name, value) in signed.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = Data(signed.body)
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        print("HTTP \(status) \(String(decoding: data, as: UTF8.self))")
        guard (200..<300).contains(status) else { throw ExitCode(1) }
    }
}
