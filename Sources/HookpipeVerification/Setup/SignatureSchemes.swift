/// Builds the scheme a source is configured with.
public enum SignatureSchemes {
    /// The scheme for `kind`, checking against `secrets` (newest first; ignored for `none`).
    ///
    /// - Parameters:
    ///   - tolerance: how far a signed timestamp may be from the clock; `nil`
    ///     for the scheme's default (``defaultTolerance(for:hmac:)``). Refused for
    ///     schemes that sign no timestamp.
    ///   - hmac: the settings of scheme `hmac`; required for it, refused for others.
    /// - Throws: ``SchemeSetupError`` (no secrets for a signing scheme, an empty
    ///   or undecodable secret, missing or unexpected `hmac` settings, a
    ///   tolerance that is not positive or does not apply).
    public static func make(_ kind: SchemeKind, secrets: [Secret], tolerance: Duration?,
                            hmac: GenericHMACSettings?) throws -> any SignatureScheme {
        try build(kind, secrets: secrets, tolerance: tolerance, hmac: hmac)
    }

    /// The tolerance a scheme uses when none is configured, for `hookpipe check`
    /// to print; `nil` when the scheme signs no timestamp (for `hmac`, when
    /// `hmac` has no timestamp header).
    public static func defaultTolerance(for kind: SchemeKind, hmac: GenericHMACSettings? = nil) -> Duration? {
        switch kind {
        case .mercadopago: MercadoPagoScheme.defaultTolerance
        case .stripe: StripeScheme.defaultTolerance
        case .standardWebhooks: StandardWebhooksScheme.defaultTolerance
        case .slack: SlackScheme.defaultTolerance
        case .hmac: hmac?.timestampHeader == nil ? nil : GenericHMACScheme.defaultTolerance
        case .github, .shopify, .meta, .tiendanube, .none: nil
        }
    }

    /// Where a scheme's events get their dedupe key when the source does not
    /// say; the same rule as the built scheme's ``SignatureScheme/defaultDedupeKey``,
    /// available without resolving secrets (for `hookpipe inject`).
    public static func defaultDedupeKey(for kind: SchemeKind) -> DedupeKeyRule {
        switch kind {
        case .mercadopago, .stripe: .jsonPointer("/id")
        case .slack: .jsonPointer("/event_id")
        case .standardWebhooks, .github, .shopify: .messageID
        case .meta, .tiendanube, .hmac, .none: .bodyHash
        }
    }

    private static func build(_ kind: SchemeKind, secrets: [Secret], tolerance: Duration?,
                              hmac: GenericHMACSettings?) throws(SchemeSetupError) -> any SignatureScheme {
        let scheme = kind.rawValue
        if kind != .hmac, hmac != nil {
            throw SchemeSetupError(.unexpectedHMACSettings, scheme: scheme, "hmac settings only apply to scheme hmac")
        }
        if kind != .hmac, tolerance != nil, defaultTolerance(for: kind) == nil {
            throw SchemeSetupError(.toleranceNotApplicable, scheme: scheme, "this scheme signs no timestamp, so a tolerance does not apply")
        }
        switch kind {
        case .mercadopago:
            return try MercadoPagoScheme(secrets: secrets, tolerance: tolerance ?? MercadoPagoScheme.defaultTolerance)
        case .stripe:
            return try StripeScheme(secrets: secrets, tolerance: tolerance ?? StripeScheme.defaultTolerance)
        case .standardWebhooks:
            return try StandardWebhooksScheme(secrets: secrets, tolerance: tolerance ?? StandardWebhooksScheme.defaultTolerance)
        case .slack:
            return try SlackScheme(secrets: secrets, tolerance: tolerance ?? SlackScheme.defaultTolerance)
        case .github:
            return try GitHubScheme(secrets: secrets)
        case .shopify:
            return try ShopifyScheme(secrets: secrets)
        case .meta:
            return try MetaScheme(secrets: secrets)
        case .tiendanube:
            return try TiendanubeScheme(secrets: secrets)
        case .hmac:
            guard let hmac else {
                throw SchemeSetupError(.missingHMACSettings, scheme: scheme, "scheme hmac needs its settings (header, algorithm, encoding)")
            }
            return try GenericHMACScheme(settings: hmac, secrets: secrets, tolerance: tolerance)
        case .none:
            return UnsignedScheme()
        }
    }
}
