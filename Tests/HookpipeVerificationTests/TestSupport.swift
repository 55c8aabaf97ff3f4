import Foundation
import Testing
@testable import HookpipeVerification

/// A request with `headers` (in order), `query` and a UTF-8 `body`.
func makeRequest(_ headers: [(String, String)], query: [(String, String)] = [], body: String) -> WebhookRequest {
    WebhookRequest(headers: HeaderFields(headers.map { (name: $0.0, value: $0.1) }),
                   query: query.map { (name: $0.0, value: $0.1) },
                   body: Array(body.utf8))
}

/// The request `signed` describes, as the receiver would hand it to `verify`.
func makeRequest(_ signed: SignedRequest) -> WebhookRequest {
    WebhookRequest(headers: HeaderFields(signed.headers), query: signed.query, body: signed.body)
}

/// `signed`'s header `name`, ignoring case.
func header(_ name: String, of signed: SignedRequest) -> String? {
    HeaderFields(signed.headers)[name]
}

/// Unix time `seconds` as a date.
func unix(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

/// The verification, recording an issue when `result` is a failure.
@discardableResult
func expectVerified(_ result: Result<Verification, VerificationFailure>,
                    sourceLocation: SourceLocation = #_sourceLocation) -> Verification? {
    switch result {
    case .success(let verification):
        return verification
    case .failure(let failure):
        Issue.record("expected success, got \(failure)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Records an issue unless `result` failed with `code`, and checks that the
/// message quotes none of `secrets` and `signatures`.
func expectFailure(_ result: Result<Verification, VerificationFailure>, _ code: VerificationFailure.Code,
                   notMentioning secrets: [String] = [], _ signatures: [String] = [],
                   sourceLocation: SourceLocation = #_sourceLocation) {
    switch result {
    case .success(let verification):
        Issue.record("expected \(code), got success \(verification)", sourceLocation: sourceLocation)
    case .failure(let failure):
        #expect(failure.code == code, "\(failure)", sourceLocation: sourceLocation)
        for secret in secrets where !secret.isEmpty {
            #expect(!failure.message.contains(secret), "message quotes a secret: \(failure.message)", sourceLocation: sourceLocation)
        }
        for signature in signatures where !signature.isEmpty {
            #expect(!failure.message.contains(signature), "message quotes a signature: \(failure.message)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Records an issue unless `body` throws a ``SchemeSetupError`` with `code`.
func expectSetupError<T>(_ code: SchemeSetupError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () throws -> T) {
    do {
        _ = try body()
        Issue.record("expected setup error \(code)", sourceLocation: sourceLocation)
    } catch let error as SchemeSetupError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
