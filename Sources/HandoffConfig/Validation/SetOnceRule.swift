import HandoffTime
import YAMLNodes

/// `state` and the top-level `freeze` are set once for the whole configuration: in one file, at
/// most once. The first setting wins; every later one is an error pointing at the first.
enum SetOnceRule {
    /// The `state` settings, when some file sets them.
    static func state(in files: [FileDeclarations], into diagnostics: inout [Diagnostic]) -> StateSettings? {
        first(of: files.flatMap(\.states), into: &diagnostics) { first, later in .stateSetTwice(first: first.location, at: later.location) }
    }

    /// The top-level `freeze`, the default of schedules that set none, when some file sets it.
    static func defaultFreeze(
        in files: [FileDeclarations],
        into diagnostics: inout [Diagnostic]
    ) -> (value: CalendarDuration, location: SourceLocation)? {
        first(of: files.flatMap(\.freezes), into: &diagnostics) { first, later in .freezeSetTwice(first: first.location, at: later.location) }
    }

    /// The first of `settings` (in file order); each later one reported with `setTwice`.
    private static func first<Setting>(
        of settings: [Setting],
        into diagnostics: inout [Diagnostic],
        setTwice: (_ first: Setting, _ later: Setting) -> Diagnostic
    ) -> Setting? {
        guard let first = settings.first else { return nil }
        for later in settings.dropFirst() { diagnostics.append(setTwice(first, later)) }
        return first
    }
}

extension Diagnostic {
    fileprivate static func stateSetTwice(first: SourceLocation?, at location: SourceLocation?) -> Diagnostic {
        .error("\"state\" is set twice; it is already set at \(first.map(String.init(describing:)) ?? "another file")", at: location)
    }

    fileprivate static func freezeSetTwice(first: SourceLocation, at location: SourceLocation) -> Diagnostic {
        .error("the top-level \"freeze\" is set twice; it is already set at \(first)", at: location)
    }
}
