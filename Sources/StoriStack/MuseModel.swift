import JSON

/// A note in a working tree or a MUSE snapshot (region-relative beats).
struct TreeNote: Sendable, Equatable {
    var pitch: Int
    var startBeat: Double
    var durationBeats: Double
    var velocity: Int
    var channel: Int

    /// `{pitch, startBeat, durationBeats, velocity}`, as checkout plans and `stori_add_notes` write notes.
    var toolJSON: JSONValue {
        [
            "pitch": .int(pitch), "startBeat": .double(startBeat), "durationBeats": .double(durationBeats),
            "velocity": .int(velocity),
        ]
    }

    /// `{pitch, startBeat, durationBeats, velocity, channel}`, the note snapshot of a `phrase` noteChange.
    var snapshotJSON: JSONValue {
        [
            "pitch": .int(pitch), "startBeat": .double(startBeat), "durationBeats": .double(durationBeats),
            "velocity": .int(velocity), "channel": .int(channel),
        ]
    }
}

/// A MIDI CC event.
struct CCEvent: Sendable, Equatable {
    var cc: Int
    var beat: Double
    var value: Int
}

/// A pitch-bend event.
struct PitchBendEvent: Sendable, Equatable {
    var beat: Double
    var value: Int
}

/// An aftertouch event (channel aftertouch when `pitch` is nil).
struct AftertouchEvent: Sendable, Equatable {
    var beat: Double
    var value: Int
    var pitch: Int?
}

/// The content of one region: notes plus controller lanes.
struct RegionContent: Sendable, Equatable {
    var notes: [TreeNote] = []
    var cc: [CCEvent] = []
    var pitchBends: [PitchBendEvent] = []
    var aftertouch: [AftertouchEvent] = []
}

/// Region id → content. Ordered traversal always sorts the ids.
typealias RegionMap = [String: RegionContent]

/// One note change of a MUSE phrase.
struct NoteChange: Sendable, Equatable {
    enum Kind: String, Sendable { case added, removed, modified }
    var kind: Kind
    var before: TreeNote?
    var after: TreeNote?
}

/// A MUSE phrase: the changes of one region in one commit.
struct MusePhrase: Sendable, Equatable {
    var id: String
    var trackID: String
    var regionID: String
    var startBeat: Double
    var endBeat: Double
    var label: String
    var tags: [String]
    var noteChanges: [NoteChange]
    var cc: [CCEvent]
    var pitchBends: [PitchBendEvent]
    var aftertouch: [AftertouchEvent]
}

/// A MUSE commit (a "variation").
struct MuseVariation: Sendable, Equatable {
    var id: String
    var projectID: String
    var intent: String
    var conversationID: String
    var parent: String?
    var parent2: String?
    var affectedTracks: [String]
    var affectedRegions: [String]
    var beatRange: [Double]
    var phrases: [MusePhrase]
    /// Logical creation time (see ``MaestroStore``).
    var timestamp: Double
}

/// One conflict of a three-way merge.
struct MergeConflict: Sendable, Equatable {
    var regionID: String
    var type: String
    var description: String

    var json: JSONValue {
        ["region_id": .string(regionID), "type": .string(type), "description": .string(description)]
    }
}
