import Foundation

/// The cassettes one command reads: every cassette of a session directory, one run's, or one cassette file.
public struct CassetteSelection: Sendable, Equatable {
    /// The session directory: the one given, or the one holding the cassette file given.
    public let directory: String
    /// The selected cassettes' paths, in the order ``SessionDirectory/cassetteFileNames(in:)`` lists them.
    public let paths: [String]
    /// The run asked for, as given (`_default` for untagged traffic); nil when every run was. A cassette file
    /// given alone is selected whatever the run.
    public let run: String?

    /// Selects the cassettes at `path` (relative paths are taken from `currentDirectory`): a session directory's,
    /// only `run`'s of them when a run is given, or the one cassette file `path` names.
    public init(path: String, currentDirectory: String, run: String?) throws(CassetteSelectionError) {
        let target = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
            throw .missing(path: path)
        }
        self.run = run
        if !isDirectory.boolValue {
            directory = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
            paths = [target]
            return
        }
        directory = target
        var names: [String]
        do {
            names = try SessionDirectory.cassetteFileNames(in: target)
        } catch {
            throw .unreadable(error)
        }
        if let run {
            let fileName: String
            do {
                fileName = RunID.fileName(for: try RunID.parseArgument(run))
            } catch {
                throw .invalidRun(run, error)
            }
            guard names.contains(fileName) else { throw .noCassette(path: path, run: run, fileName: fileName) }
            names = [fileName]
        }
        paths = names.map { target + "/" + $0 }
    }

    /// Reads every selected cassette, in order.
    public func load() throws(CassetteError) -> [Cassette] {
        try paths.map { (path) throws(CassetteError) in try Cassette.load(path: path) }
    }

    /// The last component of a cassette's path.
    static func fileName(of path: String) -> String {
        String(path[(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex)...])
    }
}

/// Why ``CassetteSelection`` could not select cassettes; each case carries what was given.
public enum CassetteSelectionError: Error, Sendable, Equatable {
    /// Nothing exists at the path given.
    case missing(path: String)
    /// The session directory could not be listed.
    case unreadable(CassetteError)
    /// The run given is not a run id (nor `_default`).
    case invalidRun(String, CassetteError)
    /// The session directory at `path` holds no cassette `fileName` for the run given.
    case noCassette(path: String, run: String, fileName: String)
}
