extension StandardMIDIFile {
    /// Reads a Standard MIDI File (format 0, 1 or 2) from its bytes.
    ///
    /// The reader accepts what the specification allows and what common writers produce:
    /// running status, note-on with velocity 0 as note-off, sysex and escape events, unknown chunk
    /// types (skipped), bytes after the declared tracks (ignored), header chunks longer than six
    /// bytes, and tracks missing their end-of-track event. Meta and sysex events neither set nor
    /// cancel running status (the specification says they cancel it; keeping it accepts files from
    /// writers that rely on it, and reads every file that follows the specification the same way).
    /// Events after an end-of-track event are ignored.
    ///
    /// Anything else is a `MIDIFileError` naming the chunk, the byte offset and what was expected;
    /// no input makes the reader trap.
    public init(bytes: [UInt8], limits: Limits = Limits()) throws(MIDIFileError) {
        var reader = SMFReader(bytes: bytes, limits: limits)
        self = try reader.read()
    }
}

/// The reading state machine: one pass over the bytes, chunk by chunk, event by event.
struct SMFReader {
    private let bytes: [UInt8]
    private let limits: StandardMIDIFile.Limits
    private var division: StandardMIDIFile.Division = .ticksPerQuarter(96)

    private var notes: [Note] = []
    private var tempoEvents: [TempoChange] = []
    private var timeSignatures: [TimeSignatureChange] = []
    private var keySignatures: [KeySignatureChange] = []
    private var programChanges: [ProgramChange] = []
    private var eventCount = 0
    private var orphanNoteOffs = 0
    private var unterminatedNotes = 0
    /// Indices into `notes` of note-ons still open at the end of their track, left out of the file's notes.
    private var unterminatedIndices: [Int] = []

    /// Open notes per channel × pitch: indices into `notes`, oldest first from `openHeads[key]`.
    private var openNotes: [[Int]] = Array(repeating: [], count: 16 * 128)
    private var openHeads: [Int] = Array(repeating: 0, count: 16 * 128)
    /// Start tick of each open note, parallel to `openNotes`.
    private var openTicks: [[Int]] = Array(repeating: [], count: 16 * 128)
    /// Keys with at least one open note, so closing a track does not scan all 2,048 queues.
    private var touchedKeys: [Int] = []

    init(bytes: [UInt8], limits: StandardMIDIFile.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: - File and chunks

    mutating func read() throws(MIDIFileError) -> StandardMIDIFile {
        let headerContext = "header (MThd at byte 0)"
        let magic: [UInt8] = Array("MThd".utf8)
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else {
            let found = bytes.isEmpty ? "an empty file" : "\(Self.describeTag(bytes.prefix(4)))"
            throw MIDIFileError(
                .badHeader,
                chunk: headerContext,
                offset: 0,
                expected: "expected \"MThd\" at the start of the file, found \(found)"
            )
        }
        guard bytes.count >= 8 else {
            throw MIDIFileError(
                .truncatedChunk,
                chunk: headerContext,
                offset: bytes.count,
                expected: "expected an 8-byte chunk header, found \(bytes.count) bytes"
            )
        }
        let headerLength = readUInt32(at: 4)
        guard headerLength >= 6 else {
            throw MIDIFileError(
                .badHeader,
                chunk: headerContext,
                offset: 4,
                expected: "expected a header length of at least 6, found \(headerLength)"
            )
        }
        guard headerLength <= bytes.count - 8 else {
            throw MIDIFileError(
                .lengthPastEnd,
                chunk: headerContext,
                offset: 4,
                expected:
                    "expected \(headerLength) bytes of header data, but only \(bytes.count - 8) remain in the file"
            )
        }
        let formatWord = readUInt16(at: 8)
        guard let format = StandardMIDIFile.Format(rawValue: formatWord) else {
            throw MIDIFileError(
                .badHeader,
                chunk: headerContext,
                offset: 8,
                expected: "expected format 0, 1 or 2, found \(formatWord)"
            )
        }
        let declaredTracks = readUInt16(at: 10)
        guard declaredTracks <= limits.maxTracks else {
            throw MIDIFileError(
                .limitExceeded,
                chunk: headerContext,
                offset: 10,
                expected:
                    "expected at most \(limits.maxTracks) tracks (reader limit), header declares \(declaredTracks)"
            )
        }
        division = try readDivision(context: headerContext)

        var tracks: [StandardMIDIFile.Track] = []
        var skippedChunks = 0
        var position = 8 + headerLength
        while tracks.count < declaredTracks {
            guard position < bytes.count else {
                throw MIDIFileError(
                    .truncatedChunk,
                    chunk: "file",
                    offset: position,
                    expected:
                        "expected \(declaredTracks) track chunks (MTrk), "
                        + "found \(tracks.count) before the end of the file"
                )
            }
            let isTrack = bytes.count - position >= 4 && bytes[position..<position + 4].elementsEqual("MTrk".utf8)
            let context =
                isTrack
                ? "track \(tracks.count) (MTrk at byte \(position))"
                : "chunk \(Self.describeTag(bytes[position..<min(position + 4, bytes.count)])) at byte \(position)"
            guard bytes.count - position >= 8 else {
                throw MIDIFileError(
                    .truncatedChunk,
                    chunk: context,
                    offset: position,
                    expected: "expected an 8-byte chunk header, found \(bytes.count - position) bytes"
                )
            }
            let length = readUInt32(at: position + 4)
            let available = bytes.count - position - 8
            guard length <= available else {
                throw MIDIFileError(
                    .lengthPastEnd,
                    chunk: context,
                    offset: position + 4,
                    expected: "expected \(length) bytes of chunk data, but only \(available) remain in the file"
                )
            }
            if isTrack {
                let track = try readTrack(
                    index: tracks.count,
                    chunkOffset: position,
                    dataStart: position + 8,
                    dataEnd: position + 8 + length,
                    context: context
                )
                tracks.append(track)
            } else {
                skippedChunks += 1
            }
            position += 8 + length
        }

        return finish(format: format, tracks: tracks, skippedChunks: skippedChunks)
    }

    private func readDivision(context: String) throws(MIDIFileError) -> StandardMIDIFile.Division {
        let word = readUInt16(at: 12)
        if word & 0x8000 == 0 {
            guard word > 0 else {
                throw MIDIFileError(
                    .badHeader,
                    chunk: context,
                    offset: 12,
                    expected: "expected ticks per quarter note above 0, found 0"
                )
            }
            return .ticksPerQuarter(word)
        }
        let framesPerSecond = 256 - (word >> 8)
        let ticksPerFrame = word & 0xFF
        guard [24, 25, 29, 30].contains(framesPerSecond), ticksPerFrame > 0 else {
            throw MIDIFileError(
                .badHeader,
                chunk: context,
                offset: 12,
                expected:
                    "expected an SMPTE division of 24, 25, 29 or 30 frames per second and ticks per frame above 0, "
                    + "found \(framesPerSecond) and \(ticksPerFrame)"
            )
        }
        return .smpte(framesPerSecond: framesPerSecond, ticksPerFrame: ticksPerFrame)
    }

    private func finish(
        format: StandardMIDIFile.Format,
        tracks: [StandardMIDIFile.Track],
        skippedChunks: Int
    ) -> StandardMIDIFile {
        // Sort notes by start; ties keep their index order, which is track order then note-on order.
        var unterminated = [Bool](repeating: false, count: notes.count)
        for index in unterminatedIndices { unterminated[index] = true }
        var order = notes.indices.filter { !unterminated[$0] }
        order.sort { lhs, rhs in
            let left = notes[lhs].startBeat
            let right = notes[rhs].startBeat
            return left != right ? left < right : lhs < rhs
        }
        let sortedNotes = order.map { notes[$0] }

        let tempoMap: TempoMap
        switch division {
        case .ticksPerQuarter:
            tempoMap = TempoMap(changes: tempoEvents)
        case .smpte:
            tempoMap = TempoMap(bpm: 120)
        }
        return StandardMIDIFile(
            format: format,
            division: division,
            tracks: tracks,
            notes: sortedNotes,
            tempoMap: tempoMap,
            timeSignatures: Self.stableSorted(timeSignatures, by: \.beat),
            keySignatures: Self.stableSorted(keySignatures, by: \.beat),
            programChanges: Self.stableSorted(programChanges, by: \.beat),
            skippedChunkCount: skippedChunks,
            orphanNoteOffs: orphanNoteOffs,
            unterminatedNotes: unterminatedNotes,
            byteCount: bytes.count
        )
    }

    private static func stableSorted<Element>(_ elements: [Element], by key: (Element) -> Double) -> [Element] {
        elements.enumerated().sorted { lhs, rhs in
            let left = key(lhs.element)
            let right = key(rhs.element)
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }

    // MARK: - Track events

    private mutating func readTrack(
        index: Int,
        chunkOffset: Int,
        dataStart: Int,
        dataEnd: Int,
        context: String
    ) throws(MIDIFileError) -> StandardMIDIFile.Track {
        var track = StandardMIDIFile.Track(
            index: index,
            byteOffset: chunkOffset,
            byteLength: dataEnd - dataStart,
            name: nil,
            eventCount: 0,
            channelEventCount: 0,
            noteCount: 0,
            endTick: 0,
            hasEndOfTrack: false,
            metaEvents: [],
            sysexEvents: []
        )
        var position = dataStart
        var tick = 0
        var runningStatus: UInt8 = 0

        while position < dataEnd {
            let delta = try readVariableLength(at: &position, end: dataEnd, context: context, what: "delta-time")
            let (sum, overflow) = tick.addingReportingOverflow(delta)
            guard !overflow, sum <= limits.maxTicks else {
                throw MIDIFileError(
                    .limitExceeded,
                    chunk: context,
                    offset: position,
                    expected: "expected absolute time within \(limits.maxTicks) ticks (reader limit), reached \(sum)"
                )
            }
            tick = sum
            guard position < dataEnd else {
                throw MIDIFileError(
                    .truncatedChunk,
                    chunk: context,
                    offset: position,
                    expected: "expected an event after the delta-time, but the track ends"
                )
            }
            eventCount += 1
            guard eventCount <= limits.maxEvents else {
                throw MIDIFileError(
                    .limitExceeded,
                    chunk: context,
                    offset: position,
                    expected: "expected at most \(limits.maxEvents) events in the file (reader limit)"
                )
            }
            track.eventCount += 1
            track.endTick = tick

            let eventOffset = position
            var status = bytes[position]
            if status < 0x80 {
                guard runningStatus != 0 else {
                    throw MIDIFileError(
                        .dataByteWithoutStatus,
                        chunk: context,
                        offset: position,
                        expected: "expected a status byte, found data byte \(Self.hex(status)) with no running status"
                    )
                }
                status = runningStatus
            } else {
                position += 1
            }

            switch status {
            case 0xFF:
                let ended = try readMeta(at: &position, end: dataEnd, tick: tick, track: &track, context: context)
                if ended {
                    track.hasEndOfTrack = true
                    position = dataEnd
                }
            case 0xF0, 0xF7:
                let length = try readVariableLength(at: &position, end: dataEnd, context: context, what: "sysex length")
                guard length <= dataEnd - position else {
                    throw MIDIFileError(
                        .lengthPastEnd,
                        chunk: context,
                        offset: position,
                        expected:
                            "expected \(length) bytes of sysex data, but only \(dataEnd - position) remain in the track"
                    )
                }
                let data = Array(bytes[position..<position + length])
                track.sysexEvents.append(.init(tick: tick, isEscape: status == 0xF7, data: data))
                position += length
            case 0x80...0xEF:
                runningStatus = status
                track.channelEventCount += 1
                try readChannelMessage(
                    status: status,
                    eventOffset: eventOffset,
                    at: &position,
                    end: dataEnd,
                    tick: tick,
                    track: &track,
                    context: context
                )
            default:
                throw MIDIFileError(
                    .badEvent,
                    chunk: context,
                    offset: eventOffset,
                    expected:
                        "expected a channel, meta (0xFF) or sysex (0xF0/0xF7) status, found \(Self.hex(status))"
                )
            }
        }
        track.noteCount -= closeOpenNotes()
        return track
    }

    private mutating func readChannelMessage(
        status: UInt8,
        eventOffset: Int,
        at position: inout Int,
        end: Int,
        tick: Int,
        track: inout StandardMIDIFile.Track,
        context: String
    ) throws(MIDIFileError) {
        let kind = status & 0xF0
        let channel = Int(status & 0x0F)
        let dataCount = kind == 0xC0 || kind == 0xD0 ? 1 : 2
        guard end - position >= dataCount else {
            throw MIDIFileError(
                .truncatedChunk,
                chunk: context,
                offset: end,
                expected:
                    "expected \(dataCount) data bytes for status \(Self.hex(status)), "
                    + "but the track ends after \(end - position)"
            )
        }
        let first = bytes[position]
        let second = dataCount == 2 ? bytes[position + 1] : 0
        for offset in 0..<dataCount where bytes[position + offset] >= 0x80 {
            throw MIDIFileError(
                .badEvent,
                chunk: context,
                offset: position + offset,
                expected:
                    "expected a data byte (below 0x80) for status \(Self.hex(status)), "
                    + "found \(Self.hex(bytes[position + offset]))"
            )
        }
        position += dataCount

        switch kind {
        case 0x90 where second > 0:
            guard notes.count < limits.maxNotes else {
                throw MIDIFileError(
                    .limitExceeded,
                    chunk: context,
                    offset: eventOffset,
                    expected: "expected at most \(limits.maxNotes) notes in the file (reader limit)"
                )
            }
            let key = channel << 7 | Int(first)
            if openNotes[key].count == openHeads[key] { touchedKeys.append(key) }
            openNotes[key].append(notes.count)
            openTicks[key].append(tick)
            notes.append(
                Note(
                    pitch: Int(first),
                    velocity: Int(second),
                    startBeat: StandardMIDIFile.beats(fromTicks: tick, division: division),
                    durationBeats: 0,
                    channel: channel,
                    track: track.index
                )
            )
            track.noteCount += 1
        case 0x80, 0x90:
            let key = channel << 7 | Int(first)
            let head = openHeads[key]
            guard head < openNotes[key].count else {
                orphanNoteOffs += 1
                return
            }
            let noteIndex = openNotes[key][head]
            notes[noteIndex].durationBeats = StandardMIDIFile.beats(
                fromTicks: tick - openTicks[key][head],
                division: division
            )
            if head + 1 == openNotes[key].count {
                openNotes[key].removeAll(keepingCapacity: true)
                openTicks[key].removeAll(keepingCapacity: true)
                openHeads[key] = 0
            } else {
                openHeads[key] = head + 1
            }
        case 0xC0:
            programChanges.append(
                ProgramChange(
                    beat: StandardMIDIFile.beats(fromTicks: tick, division: division),
                    channel: channel,
                    program: Int(first),
                    track: track.index
                )
            )
        default:
            break
        }
    }

    /// Sets apart every note-on still open at the end of a track and resets the queues for the next track; returns
    /// how many there were.
    private mutating func closeOpenNotes() -> Int {
        let before = unterminatedNotes
        for key in touchedKeys {
            let head = openHeads[key]
            for slot in head..<openNotes[key].count {
                unterminatedIndices.append(openNotes[key][slot])
                unterminatedNotes += 1
            }
            openNotes[key].removeAll(keepingCapacity: true)
            openTicks[key].removeAll(keepingCapacity: true)
            openHeads[key] = 0
        }
        touchedKeys.removeAll(keepingCapacity: true)
        return unterminatedNotes - before
    }

    /// Reads a meta event after its 0xFF; returns whether it was the end-of-track event.
    private mutating func readMeta(
        at position: inout Int,
        end: Int,
        tick: Int,
        track: inout StandardMIDIFile.Track,
        context: String
    ) throws(MIDIFileError) -> Bool {
        guard position < end else {
            throw MIDIFileError(
                .truncatedChunk,
                chunk: context,
                offset: position,
                expected: "expected a meta event type after 0xFF, but the track ends"
            )
        }
        let type = bytes[position]
        position += 1
        let length = try readVariableLength(at: &position, end: end, context: context, what: "meta event length")
        guard length <= end - position else {
            throw MIDIFileError(
                .lengthPastEnd,
                chunk: context,
                offset: position,
                expected:
                    "expected \(length) bytes of meta event \(Self.hex(type)) data, "
                    + "but only \(end - position) remain in the track"
            )
        }
        let data = bytes[position..<position + length]
        position += length
        let beat = StandardMIDIFile.beats(fromTicks: tick, division: division)

        switch type {
        case 0x2F:
            return true
        case 0x03 where track.name == nil:
            track.name = String(decoding: data, as: UTF8.self)
            return false
        case 0x51 where length == 3:
            if case .ticksPerQuarter = division {
                let base = data.startIndex
                let perQuarter = Int(data[base]) << 16 | Int(data[base + 1]) << 8 | Int(data[base + 2])
                tempoEvents.append(TempoChange(beat: beat, microsecondsPerQuarter: perQuarter))
                return false
            }
        case 0x58 where length >= 2:
            let numerator = Int(data[data.startIndex])
            let exponent = Int(data[data.startIndex + 1])
            if numerator >= 1 && exponent <= 10 {
                let signature = TimeSignature(numerator: numerator, denominator: 1 << exponent)
                timeSignatures.append(TimeSignatureChange(beat: beat, timeSignature: signature))
                return false
            }
        case 0x59 where length == 2:
            let sharps = Int(Int8(bitPattern: data[data.startIndex]))
            let isMinor = data[data.startIndex + 1] != 0
            keySignatures.append(
                KeySignatureChange(beat: beat, keySignature: KeySignature(sharps: sharps, isMinor: isMinor))
            )
            return false
        default:
            break
        }
        track.metaEvents.append(.init(tick: tick, type: type, data: Array(data)))
        return false
    }

    // MARK: - Primitives

    /// Reads a variable-length quantity: seven bits per byte, high bit set on all but the last,
    /// at most four bytes (so at most 0x0FFFFFFF).
    private func readVariableLength(
        at position: inout Int,
        end: Int,
        context: String,
        what: String
    ) throws(MIDIFileError) -> Int {
        let start = position
        var value = 0
        for count in 0..<4 {
            guard position < end else {
                throw MIDIFileError(
                    .truncatedChunk,
                    chunk: context,
                    offset: position,
                    expected: "expected \(count == 0 ? "a" : "another") byte of the \(what), but the track ends"
                )
            }
            let byte = bytes[position]
            position += 1
            value = value << 7 | Int(byte & 0x7F)
            if byte < 0x80 { return value }
        }
        throw MIDIFileError(
            .badVariableLengthQuantity,
            chunk: context,
            offset: start,
            expected: "expected the \(what) to end within 4 bytes, but the 4th byte has its continuation bit set"
        )
    }

    private func readUInt16(at offset: Int) -> Int {
        Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
    }

    private func readUInt32(at offset: Int) -> Int {
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// A chunk tag for a message: quoted if printable ASCII, else its bytes in hex.
    static func describeTag(_ tag: some Collection<UInt8>) -> String {
        if tag.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return "\"" + String(decoding: tag, as: UTF8.self) + "\""
        }
        return tag.map(hex).joined(separator: " ")
    }
}
