import Foundation
public import YAMLNodes

/// The outcome of reading a configuration directory: the validated configuration when there is
/// no error, every diagnostic, and the text of every file (to print source lines under messages).
public struct LoadedConfiguration: Sendable {
    public var configuration: Configuration?
    /// Sorted by file and position.
    public var diagnostics: [Diagnostic]
    /// File text by the path used in diagnostics.
    public var sources: [String: String]
    /// The YAML files read, in the order they were read.
    public var files: [String]
}

/// Reads a configuration directory: every `*.yaml` and `*.yml` below it, recursively, in sorted
/// path order (hidden files and folders such as `.handoff/` and `.git/` are skipped).
public enum ConfigurationLoader {
    /// Loads and validates the configuration in `directory` (as given on the command line).
    /// Paths in diagnostics are relative to the current directory when the files are below it.
    /// `apiHosts` says where keys may go (the pipeline's `HANDOFF_ALLOWED_API_HOSTS`, read by the caller).
    public static func load(directory: String, limits: YAMLLimits = .default, apiHosts: APIHostPolicy = APIHostPolicy()) -> LoadedConfiguration {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return failure("configuration directory \(directory) does not exist")
        }
        guard isDirectory.boolValue else {
            return failure("\(directory) is a file, not a configuration directory")
        }
        let displayDirectory = displayPath(directory)
        let relativePaths: [String]
        do {
            relativePaths = try yamlFiles(in: directory)
        } catch {
            return failure("configuration directory \(displayDirectory) cannot be read: \(error.localizedDescription)")
        }
        guard !relativePaths.isEmpty else {
            return failure("configuration directory \(displayDirectory) holds no .yaml or .yml files")
        }
        var inputs: [(path: String, bytes: [UInt8])] = []
        var readErrors: [Diagnostic] = []
        for relative in relativePaths {
            let fullPath = (directory as NSString).appendingPathComponent(relative)
            let shown = join(displayDirectory, relative)
            guard let data = FileManager.default.contents(atPath: fullPath) else {
                readErrors.append(.error("\(shown) cannot be read", at: nil))
                continue
            }
            inputs.append((shown, [UInt8](data)))
        }
        var loaded = load(files: inputs, directory: directory, limits: limits, apiHosts: apiHosts)
        if !readErrors.isEmpty {
            loaded.diagnostics = (readErrors + loaded.diagnostics).sortedByLocation()
            loaded.configuration = nil
        }
        return loaded
    }

    /// Loads configuration files given in memory (tests, tools); `path` is used in diagnostics.
    public static func load(
        files: [(path: String, bytes: [UInt8])],
        directory: String,
        limits: YAMLLimits = .default,
        apiHosts: APIHostPolicy = APIHostPolicy()
    ) -> LoadedConfiguration {
        // Parsing and per-file decoding are independent, so they run on every core.
        let results = ParallelMap.map(files) { file -> (FileDeclarations, String) in
            let parsed = YAMLLoader.load(file.bytes, path: file.path, limits: limits)
            var declarations = FileDecoder.decode(parsed.root, path: file.path)
            declarations.diagnostics.insert(contentsOf: parsed.errors.map(Diagnostic.init), at: 0)
            return (declarations, String(decoding: file.bytes, as: UTF8.self))
        }
        var sources: [String: String] = [:]
        for (index, file) in files.enumerated() { sources[file.path] = results[index].1 }
        let declarations = results.map(\.0)
        var diagnostics = declarations.flatMap(\.diagnostics)
        let validated = ConfigurationValidator.merge(declarations, directory: directory)
        diagnostics += validated.diagnostics
        diagnostics += apiHosts.diagnostics(for: declarations.flatMap(\.connections))
        let configuration = diagnostics.hasErrors ? nil : validated.configuration
        return LoadedConfiguration(
            configuration: configuration,
            diagnostics: diagnostics.sortedByLocation(),
            sources: sources,
            files: files.map(\.path)
        )
    }

    private static func failure(_ message: String) -> LoadedConfiguration {
        LoadedConfiguration(configuration: nil, diagnostics: [.error(message, at: nil)], sources: [:], files: [])
    }

    /// Relative paths of the YAML files below `directory`, sorted by path.
    static func yamlFiles(in directory: String) throws -> [String] {
        var found: [String] = []
        func walk(_ relative: String) throws {
            let full = relative.isEmpty ? directory : (directory as NSString).appendingPathComponent(relative)
            for name in try FileManager.default.contentsOfDirectory(atPath: full).sorted() where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(child), isDirectory: &isDirectory) else {
                    continue
                }
                if isDirectory.boolValue {
                    try walk(child)
                } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                    found.append(child)
                }
            }
        }
        try walk("")
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// `directory` relative to the current directory when it lies below it, as given otherwise.
    public static func displayPath(_ directory: String) -> String {
        let current = FileManager.default.currentDirectoryPath
        let absolute = directory.hasPrefix("/") ? directory : (current as NSString).appendingPathComponent(directory)
        let standardized = (absolute as NSString).standardizingPath
        if standardized == current { return "." }
        if standardized.hasPrefix(current + "/") { return String(standardized.dropFirst(current.count + 1)) }
        return directory
    }

    private static func join(_ directory: String, _ relative: String) -> String {
        directory == "." ? relative : (directory.hasSuffix("/") ? directory + relative : directory + "/" + relative)
    }
}

/// A map over an array that runs on every core and keeps the order of results, for CPU-bound
/// work on independent items (parsing files, expanding schedules).
public enum ParallelMap {
    public static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        guard items.count > 1 else { return items.map(transform) }
        let results = ResultSlots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            results.set(index, transform(items[index]))
        }
        return results.values()
    }
}

/// Slots written once each from concurrent iterations, each index by one writer only.
private final class ResultSlots<R: Sendable>: @unchecked Sendable {
    private var slots: [R?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: R) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func values() -> [R] { slots.compactMap { $0 } }
}
