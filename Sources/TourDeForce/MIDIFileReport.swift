import Foundation
public import MIDI

/// One Standard MIDI File read and analysed: its analysis, or the error that stopped it (what is wrong and where).
/// Encoded, it is one element of `tdf midi analyze --json`.
public struct MIDIFileReport: Encodable, Sendable {
    /// The file as the caller named it.
    public let file: String
    /// Why it could not be analysed; nil when it was.
    public let error: String?
    /// The metrics and the score; nil when the file could not be read.
    public let analysis: MIDIAnalysis?

    /// Reads and analyses the file at `path`, reported under `name` (the path as the user gave it).
    public init(analysing path: String, named name: String) {
        file = name
        guard let data = FileManager.default.contents(atPath: path) else {
            (error, analysis) = ("cannot read the file", nil)
            return
        }
        do {
            (error, analysis) = (nil, try MIDIAnalyzer.analyze(file: Array(data)))
        } catch {
            (self.error, analysis) = (error.description, nil)
        }
    }
}
