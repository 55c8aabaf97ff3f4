public import HookpipeVerification

extension SourceConfig {
    /// Where this source's events get their dedupe key: the configured
    /// `dedupe_key`, else the scheme's default. The receiver and
    /// `hookpipe inject` both use it, and it needs no secrets.
    public var dedupeKeyRule: DedupeKeyRule {
        dedupeKey ?? SignatureSchemes.defaultDedupeKey(for: scheme)
    }
}
