import Foundation
import Gzip

/// The lines of a line file (`events.jsonl`, …), sealed into `.gz` or plain; throws when there are none.
func lineFileText(_ path: String) throws -> String {
    guard let bytes = try SealedLineFile.contents(of: path) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    return String(decoding: bytes, as: UTF8.self)
}
