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
    public static func load(
        directory: String,
        limits: YAMLLimits = .default,
        directoryLimits: DirectoryLimits = .default,
        apiHosts: APIHostPolicy = APIHostPolicy()
    ) -> LoadedConfiguration {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return failure("configuration directory \(directory) does not exist")
        }
        guard isDirectory.boolValue else {
            return failure("\(directory) is a file, not a configuration directory")
        }
        let displayDirectory = displayPath(directory)
        let walk: ConfigurationDirectory
        do {
            walk = try ConfigurationDirectory.walk(directory, displayDirectory: displayDirectory, limits: directoryLimits)
        } catch let exceeded as ConfigurationDirectory.LimitExceeded {
            return LoadedConfiguration(configuration: nil, diagnostics: [exceeded.diagnostic], sources: [:], files: [])
        } catch {
            return failure("configuration directory \(displayDirectory) cannot be read: \(error.localizedDescription)")
        }
        guard !walk.files.isEmpty || walk.diagnostics.hasErrors else {
            return failure("configuration directory \(displayDirectory) holds no .yaml or .yml files")
        }
        var inputs: [(path: String, bytes: [UInt8])] = []
        var readErrors = walk.diagnostics
        for file in walk.files {
            let shown = walk.shown(file.relative)
            switch read(file.realPath, maxBytes: limits.maxBytes) {
            case .bytes(let bytes):
                inputs.append((shown, bytes))
            case .tooLarge(let size):
                let message = "the file is \(size) bytes, more than the limit of \(limits.maxBytes)"
                readErrors.append(.error(message, at: SourceLocation(path: shown, line: 1, column: 1)))
            case .unreadable:
                readErrors.append(.error("\(shown) cannot be read", at: nil))
            }
        }
        var loaded = load(files: inputs, directory: directory, limits: limits, apiHosts: apiHosts)
        if !readErrors.isEmpty {
            loaded.diagnostics = (readErrors + loaded.diagnostics).sortedByLocation()
            if readErrors.hasErrors { loaded.configuration = nil }
        }
        return loaded
    }

    private enum ReadOutcome {
        case bytes([UInt8])
        case tooLarge(Int)
        case unreadable
    }

    /// Reads at most `maxBytes` + 1 bytes: a huge file is refused without being read whole.
    private static func read(_ path: String, maxBytes: Int) -> ReadOutcome {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .unreadable }
        defer { try? handle.close() }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        if size > maxBytes { return .tooLarge(size) }
        let data: Data?
        do {
            data = try handle.read(upToCount: maxBytes < Int.max ? maxBytes + 1 : maxBytes)
        } catch {
            return .unreadable
        }
        let bytes = data.map { [UInt8]($0) } ?? []
        if bytes.count > maxBytes { return .tooLarge(bytes.count) }
        return .bytes(bytes)
    }

    /// Loads configuration files given in memory (tests, tools); `path` is used in diagnostics.
    public static func load(
        files: [(path: String, bytes: [UInt8])],
        directory: String,
        limits: YAMLLimits = .default,
        apiHosts: APIHostPolicy = APIHostPolicy()
    ) -> LoadedConfiguration {
        // Parsing and per-file decoding are independent, so they run on every core.
        let results = ParallelMap.map(files) { file -> (FileDeclarations, String?) in
            // A file that is not text is never echoed: it may be anything (a secret, a binary),
            // so it gets one located error and no excerpt.
            if let problem = TextCheck.firstNonText(in: file.bytes) {
                var declarations = FileDeclarations(path: file.path)
                declarations.diagnostics = [
                    .error(
                        "this file is not UTF-8 text (it holds an invalid or NUL byte here), so none of it is read or shown",
                        at: SourceLocation(path: file.path, start: problem)
                    )
                ]
                return (declarations, nil)
            }
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

    /// `directory` relative to the current directory when it lies below it, as given otherwise.
    public static func displayPath(_ directory: String) -> String {
        let current = FileManager.default.currentDirectoryPath
        let absolute = directory.hasPrefix("/") ? directory : (current as NSString).appendingPathComponent(directory)
        let standardized = (absolute as NSString).standardizingPath
        if standardized == current { return "." }
        if standardized.hasPrefix(current + "/") { return String(standardized.dropFirst(current.count + 1)) }
        return directory
    }
}
