import Mustache

/// The console's Mustache templates and static files, compiled into the
/// binary (SwiftPM `embedInCode`): nothing to install beside it, nothing to
/// find at run time. `{{…}}` escapes HTML; the templates never use the
/// unescaped forms (`{{{…}}}`, `{{&…}}`), which a test checks.
struct ConsoleRenderer: Sendable {
    private let library: MustacheLibrary

    /// The templates by name (file name without `.mustache`).
    static let templates: [String: [UInt8]] = [
        "head": PackageResources.head_mustache,
        "foot": PackageResources.foot_mustache,
        "overview": PackageResources.overview_mustache,
        "events": PackageResources.events_mustache,
        "event": PackageResources.event_mustache,
        "dead-letters": PackageResources.dead_letters_mustache,
        "tail": PackageResources.tail_mustache,
        "error": PackageResources.error_mustache,
    ]

    init() throws {
        var library = MustacheLibrary()
        for (name, bytes) in Self.templates {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// `view` rendered with template `name`.
    func render(_ view: Any, _ name: String) -> String {
        // Every name passed here is one of `templates`; a missing one is a
        // programming error that tests catch.
        library.render(view, withTemplate: name) ?? "template \(name) is missing"
    }

    func asset(_ asset: ConsoleAsset) -> [UInt8] {
        switch asset {
        case .script: PackageResources.console_js
        case .style: PackageResources.console_css
        }
    }
}
