public import Hashing
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A body kept in a file of its own beside the cassettes: its bytes and the SHA-256 that names the file.
public struct Blob: Sendable, Equatable {
    /// The SHA-256 of ``bytes``.
    public let digest: SHA256Digest
    /// The body.
    public let bytes: [UInt8]

    /// Names `bytes` by their SHA-256.
    public init(_ bytes: [UInt8]) {
        self.digest = RecentBlobs.shared.digest(of: bytes)
        self.bytes = bytes
    }
}

/// The last few blobs named, so that a body recorded again and again (the same download, one test's fixture) is
/// compared with its previous copy, a `memcmp` at memory speed that stops at the first differing byte of any other
/// body, instead of hashed again at 1.8 GB/s. The SHA-256 of the same bytes is the same: only the work is saved.
private final class RecentBlobs: Sendable {
    static let shared = RecentBlobs()
    /// How many are kept, and the largest kept: a few megabytes of memory in all.
    static let kept = 4
    static let largest = 1 << 20
    private let recent = Mutex<[(bytes: [UInt8], digest: SHA256Digest)]>([])

    func digest(of bytes: [UInt8]) -> SHA256Digest {
        let candidates = recent.withLock { recent in recent.filter { $0.bytes.count == bytes.count } }
        for candidate in candidates where Self.same(candidate.bytes, bytes) { return candidate.digest }
        let digest = SHA256.hash(bytes)
        if bytes.count <= Self.largest {
            recent.withLock { recent in
                if recent.count == Self.kept { recent.removeFirst() }
                recent.append((bytes, digest))
            }
        }
        return digest
    }

    private static func same(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                left.count == right.count
                    && (left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
    }
}

/// The `blobs/` directory of a session (cassette-format.md §2.1): large binary bodies as raw files named by the
/// SHA-256 of their content, so a body is stored once however many exchanges carry it, and costs its size on disk
/// instead of the base64 text, JSON escaping and deflate pass that made a 64 KiB download cost 2.8 ms of CPU.
public struct BlobStore: Sendable {
    /// The directory's name inside a session directory.
    public static let directoryName = "blobs"
    /// The smallest body stored as a blob. Smaller binary bodies stay inline as base64: a file per body costs
    /// more than the base64 of a few kilobytes.
    public static let minimumBytes = 4096

    /// The `blobs/` directory.
    public let path: String
    /// Blobs this store has read and checked: a body that many exchanges share (the same download again and
    /// again) is read and hashed once and held once in memory, not once per exchange.
    private let checked = CheckedBlobs()

    /// The store of the session directory `sessionDirectory` (which need not have one yet).
    public init(sessionDirectory: String) {
        path = sessionDirectory + "/" + Self.directoryName
    }

    /// The store beside the cassette at `cassettePath`.
    public init(besideCassette cassettePath: String) {
        let directory = cassettePath.lastIndex(of: "/").map { String(cassettePath[..<$0]) } ?? "."
        self.init(sessionDirectory: directory)
    }

    /// The file of the blob with this lowercase hex SHA-256.
    public func filePath(ofHex hex: String) -> String { path + "/" + hex }

    /// Writes a blob unless the store has it. The file appears whole or not at all (written under a temporary
    /// name, then renamed), so a crash between a blob and the record that refers to it leaves at worst a blob no
    /// record refers to, never a record without its blob.
    public func write(_ blob: Blob) throws(CassetteError) {
        let target = filePath(ofHex: blob.digest.hex)
        if SessionDirectory.exists(target) { return }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw CassetteError.io(path, "cannot create the blob directory: \(String(cString: strerror(errno)))")
        }
        try SessionDirectory.writeAtomically(blob.bytes, to: target)
    }

    /// Writes each of `blobs` the store does not have yet.
    public func write(_ blobs: [Blob]) throws(CassetteError) {
        for blob in blobs { try write(blob) }
    }

    /// The bytes of the blob `hex`, which the record says are `size` bytes long. Throws, naming the file, when it
    /// is missing, unreadable, or its content is not what its name says.
    public func read(hex: String, size: Int) throws(BlobProblem) -> [UInt8] {
        guard let digest = SHA256Digest(hex: hex), digest.hex == hex else {
            throw BlobProblem("is not 64 lowercase hex digits")
        }
        if let bytes = checked.bytes(ofHex: hex) {
            guard bytes.count == size else {
                throw BlobProblem("\(filePath(ofHex: hex)) holds \(bytes.count) bytes; the record says \(size)")
            }
            return bytes
        }
        let bytes = try readAndCheck(digest, size: size)
        checked.keep(bytes, ofHex: hex)
        return bytes
    }

    private func readAndCheck(_ digest: SHA256Digest, size: Int) throws(BlobProblem) -> [UInt8] {
        let hex = digest.hex
        let file = filePath(ofHex: hex)
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BlobProblem("\(file) cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // The length is checked before anything is allocated: `size` comes from the record, which may be hostile.
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw BlobProblem("\(file) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard status.st_size == size else {
            throw BlobProblem("\(file) holds \(status.st_size) bytes; the record says \(size)")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw BlobProblem("\(file) cannot be read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { throw BlobProblem("\(file) ended after \(filled) bytes; the record says \(size)") }
            filled += count
        }
        guard SHA256.hash(bytes) == digest else {
            throw BlobProblem("\(file) is damaged: its content's SHA-256 is not its name")
        }
        return bytes
    }

    /// Copies every blob of the session `source` into the session `destination` (a blob it has already is
    /// skipped: same name, same content).
    public static func copyAll(fromSession source: String, toSession destination: String) throws(CassetteError) {
        let from = BlobStore(sessionDirectory: source)
        let to = BlobStore(sessionDirectory: destination)
        // Only names a blob can have: a stray file (an editor's backup, a transient `.tmp`) is not copied.
        guard SessionDirectory.exists(from.path) else { return }
        let names = try SessionDirectory.entryNames(in: from.path).filter { SHA256Digest(hex: $0)?.hex == $0 }
        for name in names.sorted() {
            let bytes = try SessionDirectory.read(from.filePath(ofHex: name))
            let blob = Blob(bytes)
            guard blob.digest.hex == name else {
                throw CassetteError.io(from.filePath(ofHex: name), "damaged: its content's SHA-256 is not its name")
            }
            try to.write(blob)
        }
    }
}

/// The blobs one ``BlobStore`` has read, by hex name, up to ``budget`` bytes in all: a reader that streams a
/// long recording must not end up holding every distinct blob, so once the budget is spent only the blobs
/// already kept are served from memory.
private final class CheckedBlobs: Sendable {
    static let budget = 64 << 20
    private let state = Mutex<(table: [String: [UInt8]], kept: Int)>(([:], 0))

    func bytes(ofHex hex: String) -> [UInt8]? { state.withLock { $0.table[hex] } }

    func keep(_ bytes: [UInt8], ofHex hex: String) {
        state.withLock { state in
            guard state.kept + bytes.count <= Self.budget else { return }
            state.table[hex] = bytes
            state.kept += bytes.count
        }
    }
}

/// What is wrong with a blob a record refers to.
public struct BlobProblem: Error, Sendable {
    /// The problem, naming the blob's file.
    public let message: String

    init(_ message: String) { self.message = message }
}
