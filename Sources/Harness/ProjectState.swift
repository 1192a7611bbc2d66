import JSON
import MIDI

/// The project as the harness knows it at one commit: every track, region and note the compose streams created
/// on the way there. It is sent as the `project` snapshot of edit streams and analysed for MIDI metrics.
struct ProjectState: Sendable, Equatable {
    struct Region: Sendable, Equatable {
        var id: String
        var name: String
        var startBeat: Double
        var durationBeats: Double
        var notes: [WireNote]
    }

    struct Track: Sendable, Equatable {
        var id: String
        var name: String
        var gmProgram: Int?
        var isDrums: Bool
        var regions: [Region]
    }

    var tracks: [Track] = []

    /// Every note count.
    var noteCount: Int { tracks.reduce(0) { $0 + $1.regions.reduce(0) { $0 + $1.notes.count } } }

    /// The first region with notes, where the deliberate conflict is staged.
    var firstRegionWithNotes: (track: Track, region: Region)? {
        for track in tracks {
            if let region = track.regions.first(where: { !$0.notes.isEmpty }) { return (track, region) }
        }
        return nil
    }

    /// Adds what a compose stream created: its tracks, regions and notes (notes of a known region are appended).
    mutating func add(_ result: ComposeResult) {
        for track in result.tracks where !tracks.contains(where: { $0.id == track.trackID }) {
            tracks.append(
                Track(
                    id: track.trackID,
                    name: track.name,
                    gmProgram: track.gmProgram,
                    isDrums: track.isDrums,
                    regions: []
                )
            )
        }
        for region in result.regions {
            guard let index = tracks.firstIndex(where: { $0.id == region.trackID }) else { continue }
            if !tracks[index].regions.contains(where: { $0.id == region.regionID }) {
                tracks[index].regions.append(
                    Region(
                        id: region.regionID,
                        name: region.name,
                        startBeat: max(0, region.startBeat),
                        durationBeats: region.durationBeats > 0 ? region.durationBeats : 16,
                        notes: []
                    )
                )
            }
        }
        for (regionID, notes) in result.notes.sorted(by: { $0.key < $1.key }) {
            for trackIndex in tracks.indices {
                if let regionIndex = tracks[trackIndex].regions.firstIndex(where: { $0.id == regionID }) {
                    tracks[trackIndex].regions[regionIndex].notes.append(contentsOf: notes)
                }
            }
        }
    }

    /// The union of two states (a merge): tracks and regions of `other` that this one lacks are added.
    func merged(with other: ProjectState) -> ProjectState {
        var merged = self
        for track in other.tracks {
            if let index = merged.tracks.firstIndex(where: { $0.id == track.id }) {
                for region in track.regions where !merged.tracks[index].regions.contains(where: { $0.id == region.id })
                {
                    merged.tracks[index].regions.append(region)
                }
            } else {
                merged.tracks.append(track)
            }
        }
        return merged
    }

    /// The ProjectSnapshot of service-contracts.md §3.1, with only valid values (an invalid field would make Maestro
    /// drop the whole snapshot silently, service-contracts.md §7.3).
    func snapshot(id: String, tempo: Int, key: String) -> JSONValue {
        let tracks: [JSONValue] = tracks.map { track in
            var fields: JSONObject = [
                "id": .string(track.id), "name": .string(track.name), "isDrums": .bool(track.isDrums),
                "volume": 1.0, "pan": 0.5, "muted": false, "solo": false,
            ]
            if !track.isDrums { fields["gmProgram"] = .int(track.gmProgram ?? 0) }
            fields["regions"] = .array(
                track.regions.map { region in
                    let notes = region.notes.filter(\.isValid)
                    return [
                        "id": .string(region.id), "name": .string(region.name), "startBeat": .double(region.startBeat),
                        "durationBeats": .double(region.durationBeats), "noteCount": .int(notes.count),
                        "notes": .array(notes.map(\.projectJSON)),
                    ]
                }
            )
            return .object(fields)
        }
        return [
            "id": .string(id), "tempo": .int(tempo), "key": .string(key), "timeSignature": "4/4",
            "tracks": .array(tracks), "buses": [],
        ]
    }

    /// The notes grouped into MIDI tracks (drums on channel 9, others on their own channels with their programs),
    /// beats absolute.
    var noteTracks: [NoteTrack] {
        var channel = 0
        return tracks.map { track in
            let notes = track.regions.flatMap { region in
                region.notes.map {
                    Note(
                        pitch: $0.pitch,
                        velocity: $0.velocity,
                        startBeat: region.startBeat + $0.startBeat,
                        durationBeats: $0.durationBeats
                    )
                }
            }
            if track.isDrums { return NoteTrack.drums(name: track.name, notes: notes) }
            if channel == NoteTrack.drumChannel { channel += 1 }
            defer { channel = min(channel + 1, 15) }
            return NoteTrack(name: track.name, channel: channel, program: track.gmProgram ?? 0, notes: notes)
        }
    }
}

extension WireNote {
    /// Whether MUSE and the project snapshot accept the note (pitch and velocity 0...127, start ≥ 0, duration > 0).
    var isValid: Bool {
        (0...127).contains(pitch) && (0...127).contains(velocity) && startBeat >= 0 && startBeat.isFinite
            && durationBeats > 0 && durationBeats.isFinite
    }
}

/// Builds MUSE commits from what compose streams produced.
enum CommitBuilder {
    /// MUSE phrases (snake_case) from a stream's `phrase` events; when the stream sent none, one phrase per region
    /// from its `stori_add_notes` calls. Only phrases with at least one valid note are kept (a committed region
    /// without notes would make every later non-forced checkout dirty, service-contracts.md §5.6).
    static func phrases(from result: ComposeResult, idPrefix: String) -> [JSONValue] {
        var phrases: [JSONValue] = []
        if !result.phrases.isEmpty {
            for phrase in result.phrases {
                var changes: [JSONValue] = []
                for change in phrase["noteChanges"]?.arrayValue ?? [] {
                    let type = change["changeType"]?.stringValue ?? "added"
                    let before = change["before"].flatMap { $0.isNull ? nil : WireNote(json: $0) }
                    let after = change["after"].flatMap { $0.isNull ? nil : WireNote(json: $0) }
                    switch type {
                    case "added":
                        guard let after, after.isValid else { continue }
                        changes.append(["change_type": "added", "after": after.museJSON])
                    case "removed":
                        guard let before, before.isValid else { continue }
                        changes.append(["change_type": "removed", "before": before.museJSON])
                    default:
                        guard let before, let after, before.isValid, after.isValid else { continue }
                        changes.append(["change_type": "modified", "before": before.museJSON, "after": after.museJSON])
                    }
                }
                guard changes.contains(where: { $0["after"] != nil }),
                    let region = phrase["regionId"]?.stringValue
                else { continue }
                let start = max(0, phrase["startBeat"]?.doubleValue ?? 0)
                var end = phrase["endBeat"]?.doubleValue ?? start + 16
                if end <= start { end = start + 16 }
                phrases.append([
                    "phrase_id": .string("\(idPrefix)-\(phrases.count + 1)"),
                    "track_id": .string(
                        phrase["trackId"]?.stringValue ?? result.track(ofRegion: region)?.trackID ?? region
                    ),
                    "region_id": .string(region),
                    "start_beat": .double(start), "end_beat": .double(end),
                    "label": .string(phrase["label"]?.stringValue ?? "Muse"),
                    "tags": phrase["tags"] ?? [],
                    "note_changes": .array(changes),
                    "cc_events": phrase["ccEvents"] ?? [], "pitch_bends": phrase["pitchBends"] ?? [],
                    "aftertouch": phrase["aftertouch"] ?? [],
                ])
            }
            return phrases
        }
        for (regionID, notes) in result.notes.sorted(by: { $0.key < $1.key }) {
            let valid = notes.filter(\.isValid)
            guard !valid.isEmpty else { continue }
            let region = result.regions.first { $0.regionID == regionID }
            let start = max(0, region?.startBeat ?? 0)
            phrases.append(
                phrase(
                    id: "\(idPrefix)-\(phrases.count + 1)",
                    track: region?.trackID ?? regionID,
                    region: regionID,
                    start: start,
                    end: start + (region?.durationBeats ?? 16),
                    label: region?.name ?? "Muse",
                    notes: valid
                )
            )
        }
        return phrases
    }

    /// One phrase adding `notes` to `region`.
    static func phrase(
        id: String,
        track: String,
        region: String,
        start: Double,
        end: Double,
        label: String,
        notes: [WireNote]
    ) -> JSONValue {
        [
            "phrase_id": .string(id), "track_id": .string(track), "region_id": .string(region),
            "start_beat": .double(start), "end_beat": .double(max(end, start + 1)), "label": .string(label),
            "tags": [], "note_changes": .array(notes.map { ["change_type": "added", "after": $0.museJSON] }),
            "cc_events": [], "pitch_bends": [], "aftertouch": [],
        ]
    }

    /// The body of `POST /variations`.
    static func variation(
        project: String,
        id: String,
        intent: String,
        conversation: String,
        parent: String?,
        phrases: [JSONValue]
    ) -> JSONValue {
        var tracks: [String] = []
        var regions: [String] = []
        var low = Double.infinity
        var high = 0.0
        for phrase in phrases {
            if let track = phrase["track_id"]?.stringValue, !tracks.contains(track) { tracks.append(track) }
            if let region = phrase["region_id"]?.stringValue, !regions.contains(region) { regions.append(region) }
            low = min(low, phrase["start_beat"]?.doubleValue ?? 0)
            high = max(high, phrase["end_beat"]?.doubleValue ?? 8)
        }
        if !low.isFinite { low = 0 }
        if high <= low { high = low + 8 }
        return [
            "project_id": .string(project), "variation_id": .string(id), "intent": .string(intent),
            "conversation_id": .string(conversation),
            "parent_variation_id": parent.map { .string($0) } ?? .null, "parent2_variation_id": .null,
            "affected_tracks": .strings(tracks), "affected_regions": .strings(regions),
            "beat_range": [.double(low), .double(high)], "phrases": .array(phrases),
        ]
    }
}
