import YAMLNodes

/// A check across entries and files, run once the files are merged and names resolved. Each rule
/// is a file of its own in this folder, with the messages it reports declared beside it, so the
/// sentence a user sees is found next to the condition that produces it.
protocol ValidationRule: Sendable {
    /// Appends what is wrong with `merged` to `diagnostics`; changes nothing else.
    static func check(_ merged: MergedDeclarations, into diagnostics: inout [Diagnostic])
}

/// What the rules see: the declarations of every file, merged, with duplicates dropped (and
/// reported) and person names resolved to keys.
struct MergedDeclarations: Sendable {
    var people: [Person]
    var schedules: [Schedule]
    var destinations: [Destination]
    /// `moved:` entries of every file, in file order.
    var moves: [MovedDestination]
    /// `removed:` entries of every file, in file order.
    var removals: [RemovedDestination]
    /// Every name declared, by kind ("connection", "person", ...), including entries that failed
    /// to decode, so that references to them are not also reported as "not defined".
    var declared: [String: Set<String>]
    /// Schedules decoded with placeholders for invalid parts (already reported): they take part
    /// in reference checks but not in checks that need their times.
    var partialSchedules: Set<String>
}
