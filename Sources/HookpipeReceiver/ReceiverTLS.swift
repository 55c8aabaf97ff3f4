public import NIOSSL

/// Native HTTPS for the receiver: a server context from a PEM certificate
/// chain and a PEM private key, TLS 1.2 or newer.
public enum ReceiverTLS {
    /// A certificate or key that could not be loaded, naming the file.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads both files now; a later change to them takes effect when this is called again (on reload).
    public static func makeContext(certificatePath: String, keyPath: String) throws(LoadError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw LoadError(description: "cannot load the TLS certificate chain \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else {
            throw LoadError(description: "no PEM certificate found in \(certificatePath)")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            // The key's contents never appear in the message, only its path.
            throw LoadError(description: "cannot load the TLS private key \(keyPath): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw LoadError(description: "cannot use \(certificatePath) with \(keyPath): \(error)")
        }
    }
}
