import Gzip
import Testing

/// HTTP `deflate` content: the zlib format, and the bare deflate data some servers send under that name.
@Suite struct DeflateDataTests {
    private let text = Array(String(repeating: "the same words again and again, ", count: 40).utf8)

    @Test func zlibDataRoundTrips() throws {
        let compressed = DeflateData.compress(text)
        #expect(compressed.count < text.count / 4)
        #expect(compressed.first == 0x78, "a zlib header")
        #expect(try DeflateData.decompress(compressed) == text)
        #expect(try DeflateData.decompress(DeflateData.compress([])) == [])
    }

    @Test func bareDeflateDataIsReadToo() throws {
        // zlib's format is a 2-byte header, the deflate data, and a 4-byte Adler-32: strip both to get bare data.
        let bare = Array(DeflateData.compress(text).dropFirst(2).dropLast(4))
        #expect(try DeflateData.decompress(bare) == text)
    }

    @Test func badInputIsATypedErrorNotATrap() {
        let compressed = DeflateData.compress(text)
        #expect(throws: GzipError.self) { try DeflateData.decompress(compressed.prefix(compressed.count / 2)) }
        #expect(throws: GzipError.self) { try DeflateData.decompress(compressed + [1, 2, 3]) }
        #expect(throws: GzipError.self) { try DeflateData.decompress([0xFF, 0xFF, 0xFF, 0xFF]) }
        do {
            _ = try DeflateData.decompress(compressed, maximumSize: 100)
            Issue.record("a body over the limit was decoded")
        } catch {
            #expect(error.code == .limitExceeded)
        }
    }
}
