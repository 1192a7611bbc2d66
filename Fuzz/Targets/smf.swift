import MIDI

/// A Standard MIDI File through the reader and then the analyser, as `tdf midi` and the run reports
/// handle a file a service returned.
///
/// Input: byte 0 picks the limits (odd: tiny, so every limit check is reachable), the rest is the
/// file. Checks: no trap; an error points inside the file; a file that reads has at most
/// `maxNotes` notes, each starting at or after beat 0 with a finite, non-negative duration; the
/// analyser accepts every file the reader accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let limits =
        input.choice() & 1 == 1
        ? StandardMIDIFile.Limits(maxTracks: 4, maxEvents: 64, maxNotes: 16, maxTicks: 1 << 20)
        : StandardMIDIFile.Limits()
    let bytes = input.payload
    let file: StandardMIDIFile
    do {
        file = try StandardMIDIFile(bytes: bytes, limits: limits)
    } catch {
        require((0...bytes.count).contains(error.offset), "error offset outside the \(bytes.count) bytes: \(error)")
        return 0
    }
    require(file.notes.count <= limits.maxNotes, "\(file.notes.count) notes read past the limit")
    for note in file.notes {
        require(note.startBeat >= 0 && note.durationBeats >= 0 && note.durationBeats.isFinite, "bad note \(note)")
    }
    _ = MIDIAnalyzer.analyze(file)
    return 0
}
