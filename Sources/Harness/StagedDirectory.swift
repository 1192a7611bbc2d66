import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A directory built beside its destination and renamed into place when complete, so a crash leaves either no
/// destination or the whole of it (plus a hidden `.<name>.staging-<pid>` to delete), never a half-written tree.
public struct StagedDirectory: Sendable {
    /// Where the content is written until ``commit()``.
    public let path: String
    /// Where it ends up.
    public let destination: String
    private let replacing: Bool

    /// Prepares to build `destination`, which must be missing or empty unless `replacing` is true. `inputs` are
    /// directories the content is read from; the destination may not be one of them or lie inside one.
    public init(destination: String, replacing: Bool, inputs: [String] = []) throws(ArtifactMergeError) {
        let destination = Self.standardised(destination)
        let manager = FileManager.default
        for input in inputs.map(Self.standardised) {
            if destination == input || destination.hasPrefix(input + "/") || input.hasPrefix(destination + "/") {
                throw .input("the output \(destination) overlaps the input \(input); write the merge elsewhere")
            }
        }
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: destination, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .input("\(destination) exists and is not a directory") }
            let entries = (try? manager.contentsOfDirectory(atPath: destination)) ?? []
            if !entries.isEmpty && !replacing {
                throw .destinationNotEmpty(destination)
            }
        }
        let parent = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        self.path = "\(parent)/.\(name).staging-\(getpid())"
        self.destination = destination
        self.replacing = replacing
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if manager.fileExists(atPath: path) { try manager.removeItem(atPath: path) }
            try manager.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw .output("cannot create \(path): \((error as NSError).localizedDescription)")
        }
    }

    /// Renames the finished content into place (an existing destination is replaced only when allowed at init).
    public func commit() throws(ArtifactMergeError) {
        let manager = FileManager.default
        let displaced = path.replacingOccurrences(of: ".staging-", with: ".replaced-")
        var moved = false
        if manager.fileExists(atPath: destination) {
            if rmdir(destination) != 0 {
                guard replacing, rename(destination, displaced) == 0 else {
                    throw .output("cannot replace \(destination): \(String(cString: strerror(errno)))")
                }
                moved = true
            }
        }
        guard rename(path, destination) == 0 else {
            throw .output("cannot rename \(path) to \(destination): \(String(cString: strerror(errno)))")
        }
        if moved { try? manager.removeItem(atPath: displaced) }
    }

    /// Deletes the staged content (after a failure).
    public func discard() {
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func standardised(_ path: String) -> String {
        var path = (path as NSString).standardizingPath
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
