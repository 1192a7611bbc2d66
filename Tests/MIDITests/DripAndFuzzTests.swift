import MIDI
import Testing

/// Cut and damaged files are rejected with a typed error or read; nothing traps.
@Suite struct DripAndFuzzTests {
    /// Valid files of every flavour: writer output in both formats, mido's files, and a hand-made
    /// file with sysex, meta and running status.
    static func validFiles() throws -> [(name: String, bytes: [UInt8])] {
        let song = GeneratedSong(seed: 7)
        var files: [(String, [UInt8])] = [
            ("writer format 0", SMFWriter(format: .singleTrack).bytes(for: song.tracks)),
            ("writer format 1", SMFWriter(format: .multiTrack).bytes(for: song.tracks)),
        ]
        for name in ["mido_format0.mid", "mido_format1.mid", "mido_running_status.mid", "mido_format2.mid"] {
            files.append((name, try Fixtures.bytes(name)))
        }
        let handMade: [UInt8] =
            [
                0x00, 0xFF, 0x03, 0x02, 0x48, 0x69, 0x00, 0xF0, 0x03, 0x01, 0x02, 0xF7,
                0x00, 0x90, 0x3C, 0x64, 0x10, 0x40, 0x64, 0x81, 0x00, 0x3C, 0x00, 0x00, 0x40, 0x00,
            ] + SMF.endOfTrack
        files.append(("hand-made", SMF.file(format: 0, tracks: [handMade])))
        return files
    }

    /// Every strict prefix of every valid file is rejected with a typed error whose offset lies
    /// within the prefix (the header always declares more than a prefix holds), and the whole file
    /// reads.
    @Test func everyPrefixIsRejectedWithATypedError() throws {
        for (name, bytes) in try Self.validFiles() {
            #expect(throws: Never.self) { _ = try StandardMIDIFile(bytes: bytes) }
            for length in 0..<bytes.count {
                let prefix = Array(bytes[0..<length])
                do {
                    _ = try StandardMIDIFile(bytes: prefix)
                    Issue.record("\(name): prefix of \(length) bytes was accepted")
                } catch {
                    // `error` is statically a MIDIFileError: typed throws make anything else impossible.
                    #expect(error.offset >= 0 && error.offset <= length, "\(name) prefix \(length): \(error)")
                }
            }
        }
    }

    /// Two seconds of seeded random mutations (flips, inserts, deletes, interesting bytes, cuts) never
    /// trap: each file is read and analysed, or rejected with an offset inside the file.
    @Test func randomMutationsNeverTrap() throws {
        let bases = try Self.validFiles().map(\.bytes)
        var random = SplitMix64(seed: 0x5EED)
        let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0x81, 0xF0, 0xF7, 0xFF, 0x2F, 0x51, 0x58, 0x90]
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(2))
        var iterations = 0
        var accepted = 0
        while clock.now < deadline && iterations < 200_000 {
            iterations += 1
            var bytes = bases[Int.random(in: 0..<bases.count, using: &random)]
            for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
                case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                case 3: bytes.remove(at: index)
                case 4: bytes[index] = interesting[Int.random(in: 0..<interesting.count, using: &random)]
                default: bytes.removeLast(Int.random(in: 0...min(bytes.count, 16), using: &random))
                }
            }
            do {
                let file = try StandardMIDIFile(bytes: bytes)
                let analysis = MIDIAnalyzer.analyze(file)
                #expect(analysis.score.total >= 0 && analysis.score.total <= 100)
                accepted += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)")
            }
        }
        #expect(iterations > 100)
        #expect(accepted > 0)  // some mutations (in note data) leave a readable file
    }

    /// Declared lengths far beyond the data are refused before anything is allocated for them.
    @Test func hostileLengthsAreRefused() {
        let hugeTrack = SMF.header(format: 0, tracks: 1, division: 96) + Array("MTrk".utf8) + [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: MIDIFileError.self) { _ = try StandardMIDIFile(bytes: hugeTrack) }
        let hugeMeta = SMF.file(format: 0, tracks: [[0x00, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F]])
        let error = #expect(throws: MIDIFileError.self) { _ = try StandardMIDIFile(bytes: hugeMeta) }
        #expect(error?.code == .lengthPastEnd)
        let manyTracks = SMF.header(format: 1, tracks: 0xFFFF, division: 96)
        #expect(throws: MIDIFileError.self) { _ = try StandardMIDIFile(bytes: manyTracks) }
    }
}
