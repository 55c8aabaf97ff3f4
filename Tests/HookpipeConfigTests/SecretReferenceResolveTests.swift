import Foundation
import HookpipeVerification
import Testing

@testable import HookpipeConfig

@Suite("SecretReference resolution")
struct SecretReferenceResolveTests {
    /// Resolves expecting an error; returns its message.
    private func failure(
        _ reference: SecretReference, environment: [String: String] = [:], credentialsDirectory: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> String? {
        do {
            _ = try reference.resolve(environment: environment, credentialsDirectory: credentialsDirectory)
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.code == .secretUnavailable, sourceLocation: sourceLocation)
            return error.message
        }
    }

    /// Resolves a source's secrets expecting an error; returns its message.
    private func sourceFailure(
        _ source: SourceConfig, environment: [String: String], sourceLocation: SourceLocation = #_sourceLocation
    ) -> String? {
        do {
            _ = try source.resolveSecrets(environment: environment)
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("env: reads the given environment, refusing unset and empty variables")
    func environment() throws {
        let reference = SecretReference.environment("MP_SECRET")
        #expect(try reference.resolve(environment: ["MP_SECRET": "env-value-1"], credentialsDirectory: nil) == Secret("env-value-1"))
        #expect(failure(reference) == "env:MP_SECRET: environment variable MP_SECRET is not set")
        #expect(failure(reference, environment: ["MP_SECRET": ""]) == "env:MP_SECRET: environment variable MP_SECRET is empty")
    }

    @Test("file: reads the file and trims one trailing newline")
    func file() throws {
        try withTemporaryDirectory { directory in
            let cases = [("plain", "file-value-1", "file-value-1"), ("newline", "file-value-2\n", "file-value-2"),
                         ("crlf", "file-value-3\r\n", "file-value-3"), ("two", "file-value-4\n\n", "file-value-4\n"),
                         ("space", " file-value-5 \n", " file-value-5 ")]
            for (name, contents, expected) in cases {
                try writeFile(directory + "/" + name, contents)
                let secret = try SecretReference.file(directory + "/" + name).resolve(environment: [:], credentialsDirectory: nil)
                #expect(secret.value == expected, "\(name)")
            }
        }
    }

    @Test("file: errors name the file and the reason, never the content")
    func fileErrors() throws {
        try withTemporaryDirectory { directory in
            let missing = directory + "/missing"
            #expect(failure(.file(missing)) == "file:\(missing): cannot read \(missing): No such file or directory")
            #expect(failure(.file(directory)) == "file:\(directory): cannot read \(directory): not a regular file")

            let empty = directory + "/empty"
            try writeFile(empty, "\n")
            #expect(failure(.file(empty)) == "file:\(empty): \(empty) is empty")

            let binary = directory + "/binary"
            try Data([0xC3, 0x28, 0x0A]).write(to: URL(fileURLWithPath: binary))
            #expect(failure(.file(binary)) == "file:\(binary): \(binary) is not valid UTF-8 text")

            let huge = directory + "/huge"
            try writeFile(huge, String(repeating: "x", count: SecretReference.maxFileBytes + 1))
            #expect(failure(.file(huge))?.contains("larger than") == true)
        }
    }

    @Test("credential: reads $CREDENTIALS_DIRECTORY/NAME")
    func credential() throws {
        try withTemporaryDirectory { directory in
            try writeFile(directory + "/mp-secret", "credential-value-1\n")
            let reference = SecretReference.credential("mp-secret")
            #expect(try reference.resolve(environment: [:], credentialsDirectory: directory).value == "credential-value-1")
            #expect(
                failure(reference)
                    == "credential:mp-secret: $CREDENTIALS_DIRECTORY is not set; systemd sets it for units with LoadCredential= or SetCredential=")
            #expect(failure(reference, credentialsDirectory: "")?.contains("$CREDENTIALS_DIRECTORY is not set") == true)
            #expect(
                failure(.credential("other"), credentialsDirectory: directory)
                    == "credential:other: cannot read \(directory)/other: No such file or directory")
        }
    }

    @Test("a literal resolves to itself")
    func literal() throws {
        let secret = try SecretReference.literal("literal-value-1").resolve(environment: [:], credentialsDirectory: nil)
        #expect(secret.value == "literal-value-1")
    }

    @Test("a source resolves its secrets in order, taking $CREDENTIALS_DIRECTORY from the environment")
    func sourceSecrets() throws {
        try withTemporaryDirectory { directory in
            try writeFile(directory + "/old", "old-value\n")
            let source = SourceConfig(
                name: "stripe", path: "/hooks/stripe", scheme: .stripe,
                secrets: [.environment("NEW"), .credential("old"), .literal("inline-value")])
            let environment = ["NEW": "new-value", "CREDENTIALS_DIRECTORY": directory]
            #expect(try source.resolveSecrets(environment: environment).map(\.value) == ["new-value", "old-value", "inline-value"])

            #expect(
                sourceFailure(source, environment: ["CREDENTIALS_DIRECTORY": directory])
                    == #"source "stripe": secret #1: env:NEW: environment variable NEW is not set"#)
            let credentialFailure = sourceFailure(source, environment: ["NEW": "new-value"])
            #expect(credentialFailure?.hasPrefix(#"source "stripe": secret #2: credential:old: $CREDENTIALS_DIRECTORY is not set"#) == true)
            #expect(credentialFailure?.contains("new-value") == false)
        }
    }
}
