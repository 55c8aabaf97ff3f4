public import HookpipeVerification

/// A configured source, ready to serve: its scheme holds the resolved keys.
public struct SourceRuntime: Sendable {
    /// The source's name (envelope `source`, logs, metrics).
    public var name: String
    /// The HTTP path it receives on.
    public var path: String
    /// Verifies (and for `hookpipe sign`, signs) its requests.
    public var scheme: any SignatureScheme
    /// Addresses allowed to post; `nil` allows any.
    public var allowList: AddressAllowList?
    /// Where the dedupe key comes from.
    public var dedupeKey: DedupeKeyRule
    /// How long a key is remembered.
    public var dedupeWindow: Duration

    public init(name: String, path: String, scheme: any SignatureScheme, allowList: AddressAllowList?,
                dedupeKey: DedupeKeyRule, dedupeWindow: Duration) {
        self.name = name
        self.path = path
        self.scheme = scheme
        self.allowList = allowList
        self.dedupeKey = dedupeKey
        self.dedupeWindow = dedupeWindow
    }
}
