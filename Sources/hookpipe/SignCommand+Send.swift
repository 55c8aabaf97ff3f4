import ArgumentParser
import Foundation
import HookpipeVerification
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `--url` and `--send`: where the signed request goes, and posting it.
extension SignCommand {
    /// `text` when it is an absolute `http` or `https` URL with a host.
    static func baseURL(_ text: String) -> URL? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return nil }
        return components.url
    }

    /// `base` and a source's `path` (which starts with `/`) joined with exactly
    /// one `/`: `http://127.0.0.1:8080/` and `/hooks/stripe` give
    /// `http://127.0.0.1:8080/hooks/stripe`; a base with a path prefix keeps it.
    static func target(base: String, path: String) -> String {
        var trimmed = Substring(base)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed) + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Posts the request and prints `HTTP <status> <body>`; exit 1 unless 2xx.
    /// When no answer comes, prints one line saying why on stderr and exits 1.
    static func post(to target: String, signed: SignedRequest) async throws {
        guard let url = URL(string: target) else { throw usageError("not a valid URL: \(target)", in: Self.self) }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("hookpipe-sign/\(Hookpipe.configuration.version)", forHTTPHeaderField: "User-Agent")
        for (name, value) in signed.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = Data(signed.body)
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            printError("cannot send to \(target): \(explain(error))")
            throw ExitCode(1)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        print("HTTP \(status) \(String(decoding: data, as: UTF8.self))")
        guard (200..<300).contains(status) else { throw ExitCode(1) }
    }

    /// Why a request got no answer, in one line (Foundation's own error is a multi-line dump).
    static func explain(_ error: any Error) -> String {
        guard let error = error as? URLError else { return error.localizedDescription }
        switch error.code {
        case .cannotConnectToHost:
            return "connection refused; is the daemon running and listening there? (hookpipe status)"
        case .cannotFindHost, .dnsLookupFailed:
            return "unknown host"
        case .timedOut:
            return "no answer in time"
        case .networkConnectionLost:
            return "the connection closed before an answer came"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "the TLS handshake failed (URLError \(error.code.rawValue))"
        default:
            return "no answer (URLError \(error.code.rawValue))"
        }
    }
}
