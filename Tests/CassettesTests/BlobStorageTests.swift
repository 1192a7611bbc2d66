import Cassettes
import Foundation
import Gzip
import HTTPWire
import Hashing
import TestSupport
import Testing
import Vocabulary

/// Large binary bodies stored as raw files beside the cassette (cassette-format.md §2.1).
@Suite struct BlobStorageTests {
    /// Bytes no UTF-8 decoder accepts, from a fixed seed.
    static func binary(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
        var state = seed
        var bytes = (0..<count).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        bytes[0] = 0xFF  // never valid UTF-8, whatever the seed
        return bytes
    }

    static func exchange(seq: Int, body: [UInt8]) -> Exchange {
        var exchange = Fixtures.binaryExchange(seq: seq)
        exchange.response.headers = HTTPHeaders([
            ("Content-Type", "application/octet-stream"), ("Content-Length", String(body.count)),
        ])
        exchange.response.content = .body(body)
        return exchange
    }

    static func lines(of path: String) throws -> [String] {
        let text = String(
            decoding: try GzipData.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: path)))),
            as: UTF8.self
        )
        return text.split(separator: "\n").map(String.init)
    }

    static func blobNames(in directory: TemporaryDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.url.path + "/blobs")) ?? []).sorted()
    }

    /// A 64 KiB binary body becomes one raw file named by its SHA-256; the record refers to it, the reader gives
    /// the bytes back, and a second exchange with the same body adds no file.
    @Test func aLargeBinaryBodyIsStoredOnceAsARawFile() throws {
        let directory = try TemporaryDirectory()
        let body = Self.binary(65_536)
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        try writer.append(Self.exchange(seq: 0, body: body))
        try writer.append(Self.exchange(seq: 1, body: body))
        try writer.finish()

        let hex = SHA256.hash(body).hex
        #expect(Self.blobNames(in: directory) == [hex])
        let stored = try Data(contentsOf: URL(fileURLWithPath: directory.url.path + "/blobs/" + hex))
        #expect(Array(stored) == body)
        let exchangeLines = try Self.lines(of: writer.path).filter { $0.contains(#""type":"exchange""#) }
        #expect(exchangeLines.count == 2)
        for line in exchangeLines {
            #expect(line.contains(#""body":{"blob":"\#(hex)","size":65536}"#))
            #expect(!line.contains("base64"))
        }
        let cassette = try Cassette.load(path: writer.path)
        #expect(cassette.problems.isEmpty)
        #expect(cassette.exchanges.map(\.response.content) == [.body(body), .body(body)])
    }

    /// The digest is defined over content: the same exchanges stored inline (an older cassette) and as blobs
    /// have the same digest, and the end record of the blob cassette agrees with it.
    @Test func theDigestDoesNotDependOnTheStorage() throws {
        let directory = try TemporaryDirectory()
        let exchanges = [Self.exchange(seq: 0, body: Self.binary(10_000)), Fixtures.jsonExchange(seq: 1)]
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        for exchange in exchanges { try writer.append(exchange) }
        let summary = try writer.finish()
        #expect(Self.blobNames(in: directory).count == 1)

        let inline = try TemporaryDirectory()
        let lines =
            [CassetteRecord.header(CassetteHeader(run: nil, created: Fixtures.started, toolVersion: "1")).encoded()]
            + exchanges.map { CassetteRecord.exchange($0).encoded() }
        let text = lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n") + "\n"
        #expect(text.contains(#""base64":"#))
        let inlinePath = inline.url.path + "/_default.jsonl.gz"
        try Data(GzipData.compress(Array(text.utf8))).write(to: URL(fileURLWithPath: inlinePath))
        let inlineCassette = try Cassette.load(path: inlinePath)
        #expect(inlineCassette.digest == summary.digest)
        #expect(try Cassette.load(path: writer.path).isComplete)
    }

    /// Small binary bodies and text bodies of any size stay inline: a file per small body costs more than its
    /// base64, and text stays readable with `zcat | jq`.
    @Test func smallBinaryAndLargeTextStayInline() throws {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        try writer.append(Self.exchange(seq: 0, body: Self.binary(BlobStore.minimumBytes - 1)))
        try writer.append(Fixtures.jsonExchange(seq: 1, body: String(repeating: "é", count: 40_000)))
        try writer.finish()
        #expect(Self.blobNames(in: directory).isEmpty)
        #expect(try Cassette.load(path: writer.path).isComplete)
    }

    /// Streamed pieces are bodies too: a large binary chunk is a blob, a small one stays base64.
    @Test func largeBinaryChunksAreBlobs() throws {
        let directory = try TemporaryDirectory()
        var exchange = Self.exchange(seq: 0, body: [])
        let chunks = [
            StreamChunk(atMilliseconds: 1, bytes: Self.binary(8192, seed: 1)),
            StreamChunk(atMilliseconds: 2, bytes: Self.binary(100, seed: 2)),
        ]
        exchange.response.content = .chunks(chunks)
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        try writer.append(exchange)
        try writer.finish()
        #expect(Self.blobNames(in: directory) == [SHA256.hash(chunks[0].bytes).hex])
        #expect(try Cassette.load(path: writer.path).exchanges.first?.response.content == .chunks(chunks))
    }

    /// A blob named again is not hashed again, but bodies that differ only in their last byte, or have the same
    /// length and nothing else in common, still get their own SHA-256.
    @Test func aBodySeenAgainKeepsItsNameAndAChangedOneGetsItsOwn() {
        let body = Self.binary(70_000)
        var lastByteChanged = body
        lastByteChanged[lastByteChanged.count - 1] ^= 1
        let sequence = [body, lastByteChanged, body, Self.binary(70_000, seed: 8), lastByteChanged, [], body]
        for bytes in sequence { #expect(Blob(bytes).digest == SHA256.hash(bytes)) }
        #expect(Blob(body).digest != Blob(lastByteChanged).digest)
    }

    /// A token inside a download that many exchanges carry is reported for each of them, though the body is one
    /// blob and is scanned once.
    @Test func aSecretInASharedBlobIsFoundInEveryExchange() throws {
        let directory = try TemporaryDirectory()
        var body = Self.binary(30_000)
        body.replaceSubrange(10_000..<10_042, with: [0] + Array(SecretScannerTests.githubToken.utf8) + [0])
        var other = Self.binary(30_000, seed: 9)
        other.replaceSubrange(500..<542, with: [0] + Array(SecretScannerTests.githubToken.utf8) + [0])
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        for seq in 0..<4 { try writer.append(Self.exchange(seq: seq, body: seq == 2 ? other : body)) }
        try writer.append(Self.exchange(seq: 4, body: Self.binary(30_000, seed: 3)))
        try writer.finish()
        #expect(Self.blobNames(in: directory).count == 3)

        let scan = SecretScan(paths: [writer.path])
        #expect(scan.findings.map(\.seq) == [0, 1, 2, 3])
        #expect(Set(scan.findings.map(\.location)) == ["response.body"])
        #expect(scan.exchanges == 5)
    }

    /// A crash between writing a blob and writing its record leaves a blob no record refers to, and the
    /// cassette reads whole; the next recording of the same body reuses the file.
    @Test func aCrashBetweenABlobAndItsRecordLeavesTheCassetteWhole() throws {
        let directory = try TemporaryDirectory()
        let body = Self.binary(20_000)
        try BlobStore(sessionDirectory: directory.url.path).write(Blob(body))
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        try writer.append(Fixtures.jsonExchange(seq: 0))
        try writer.finish()
        let cassette = try Cassette.load(path: writer.path)
        #expect(cassette.isComplete)
        #expect(cassette.exchanges.count == 1)

        let again = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r1"), toolVersion: "1")
        try again.append(Self.exchange(seq: 0, body: body))
        try again.finish()
        #expect(Self.blobNames(in: directory) == [SHA256.hash(body).hex])
        #expect(try Cassette.load(path: again.path).exchanges.first?.response.content == .body(body))
    }

    /// A missing, cut or altered blob is reported with the file, the record and the blob's path, and the other
    /// records still read.
    @Test(arguments: ["missing", "cut", "altered", "longer"])
    func aDamagedBlobIsNamed(damage: String) throws {
        let directory = try TemporaryDirectory()
        let body = Self.binary(5000)
        let writer = try CassetteWriter(directory: directory.url.path, run: nil, toolVersion: "1")
        try writer.append(Fixtures.jsonExchange(seq: 0))
        try writer.append(Self.exchange(seq: 1, body: body))
        try writer.finish()
        let blobPath = directory.url.path + "/blobs/" + SHA256.hash(body).hex
        switch damage {
        case "missing": try FileManager.default.removeItem(atPath: blobPath)
        case "cut": try Data(body.prefix(4000)).write(to: URL(fileURLWithPath: blobPath))
        case "altered": try Data([0] + body.dropFirst()).write(to: URL(fileURLWithPath: blobPath))
        default: try Data(body + [1]).write(to: URL(fileURLWithPath: blobPath))
        }
        let cassette = try Cassette.load(path: writer.path)
        #expect(cassette.exchanges.map(\.seq) == [0])
        let problem = try #require(cassette.problems.first)
        #expect(problem.contains(writer.path))
        #expect(problem.contains("record 3"))
        #expect(problem.contains(blobPath))
    }

    /// A record read without its session directory (bytes only) says where the body is instead of failing
    /// silently.
    @Test func aBlobRecordReadWithoutItsDirectoryIsAProblem() throws {
        var blobs: [Blob] = []
        let line = CassetteRecord.exchange(Self.exchange(seq: 0, body: Self.binary(5000))).encoded(
            storingBlobsIn: &blobs
        )
        #expect(blobs.count == 1)
        #expect(throws: RecordProblem.self) { try CassetteRecord.decode(line) }
        do {
            _ = try CassetteRecord.decode(line)
        } catch {
            #expect(error.message.contains("response.body.blob"))
            #expect(error.message.contains("stored beside the cassette"))
        }
    }

    /// Merging sessions carries their blobs, and only their blobs, so every merged cassette still reads.
    @Test func mergingSessionsCopiesTheirBlobs() throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        let merged = try TemporaryDirectory()
        for (directory, seed) in [(first, UInt64(1)), (second, UInt64(2))] {
            let writer = try CassetteWriter(
                directory: directory.url.path,
                run: RunID(validating: "r\(seed)"),
                toolVersion: "1"
            )
            try writer.append(Self.exchange(seq: 0, body: Self.binary(6000, seed: seed)))
            try writer.finish()
        }
        // A stray file among the blobs (an editor's backup) is not a blob and is not copied.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: first.url.path + "/blobs/README.txt"))
        let target = merged.url.path + "/all"
        let summaries = try SessionMerge.merge([first.url.path, second.url.path], into: target, toolVersion: "1")
        #expect(summaries.count == 2)
        for summary in summaries {
            let cassette = try Cassette.load(path: target + "/" + summary.fileName)
            #expect(cassette.isComplete, "\(cassette.problems)")
        }
        #expect(
            (try FileManager.default.contentsOfDirectory(atPath: target + "/blobs")).count == 2
        )
    }
}
