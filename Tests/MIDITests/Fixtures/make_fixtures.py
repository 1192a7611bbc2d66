#!/usr/bin/env python3
"""Writes the MIDI fixtures made by an independent tool (mido) and what mido reads back from them.

Run from this directory: `python3 make_fixtures.py` (needs `pip install mido`; tested with 1.3.3).
It writes mido_*.mid and mido_expected.json; MidoFixtureTests checks the Swift reader against them.

mido has no notion of paired notes, so pairing is done here the way MIDI defines it and the Swift
reader documents it: a note-off (0x8n, or 0x9n with velocity 0) ends the oldest open note of the
same track, channel and pitch; a note still open at the end of its track ends at the track's last
tick. Everything else (tick accumulation, running status, tempo-map seconds, meta decoding) is
mido's own reading of the bytes.
"""

import importlib.metadata
import json
import os

import mido
from mido import Message, MetaMessage, MidiFile, MidiTrack

HERE = os.path.dirname(os.path.abspath(__file__))


def notes_on(track, channel, events):
    """Appends (delta, kind, pitch, velocity) tuples as channel messages; kind 'on' or 'off0'/'off'."""
    for delta, kind, pitch, velocity in events:
        if kind == 'on':
            track.append(Message('note_on', channel=channel, note=pitch, velocity=velocity, time=delta))
        elif kind == 'off0':  # note-on with velocity 0
            track.append(Message('note_on', channel=channel, note=pitch, velocity=0, time=delta))
        else:
            track.append(Message('note_off', channel=channel, note=pitch, velocity=velocity, time=delta))


def format0():
    """Format 0, 96 ticks per quarter: tempo change, 3/4, key signature, drums on channel 9,
    velocity-0 note-offs, overlapping same-pitch notes, running status (mido writes it)."""
    mid = MidiFile(type=0, ticks_per_beat=96)
    track = MidiTrack()
    mid.tracks.append(track)
    track.append(MetaMessage('track_name', name='Format Zero', time=0))
    track.append(MetaMessage('set_tempo', tempo=500000, time=0))
    track.append(MetaMessage('time_signature', numerator=3, denominator=4, time=0))
    track.append(MetaMessage('key_signature', key='Bb', time=0))
    track.append(Message('program_change', channel=0, program=33, time=0))
    notes_on(track, 0, [
        (0, 'on', 45, 100),     # A2 at tick 0
        (48, 'on', 45, 90),     # second A2 overlapping the first (tick 48)
        (48, 'off0', 45, 0),    # tick 96: ends the first A2 (FIFO)
        (0, 'on', 52, 80),      # tick 96
        (96, 'off0', 45, 0),    # tick 192: ends the second A2
        (0, 'off', 52, 64),     # tick 192: explicit note-off
    ])
    notes_on(track, 9, [
        (0, 'on', 36, 110), (24, 'off0', 36, 0),
        (24, 'on', 38, 105), (24, 'off0', 38, 0),
    ])
    track.append(MetaMessage('set_tempo', tempo=400000, time=144))  # tick 408 (after the drum hits)
    notes_on(track, 0, [
        (0, 'on', 60, 70), (0, 'on', 64, 71), (0, 'on', 67, 72),
        (192, 'off0', 60, 0), (0, 'off0', 64, 0), (0, 'off0', 67, 0),
    ])
    track.append(MetaMessage('end_of_track', time=96))
    return mid


def format1():
    """Format 1, 480 ticks per quarter: a conductor track with three tempos and two meters, then three
    named tracks with programs, a sysex, text and marker events."""
    mid = MidiFile(type=1, ticks_per_beat=480)
    conductor = MidiTrack()
    conductor.append(MetaMessage('track_name', name='Conductor', time=0))
    conductor.append(MetaMessage('set_tempo', tempo=mido.bpm2tempo(90), time=0))
    conductor.append(MetaMessage('time_signature', numerator=4, denominator=4, time=0))
    conductor.append(MetaMessage('key_signature', key='Am', time=0))
    conductor.append(MetaMessage('set_tempo', tempo=mido.bpm2tempo(120), time=1920))
    conductor.append(MetaMessage('time_signature', numerator=7, denominator=8, time=0))
    conductor.append(MetaMessage('marker', text='B section', time=0))
    conductor.append(MetaMessage('set_tempo', tempo=mido.bpm2tempo(75), time=1680))
    mid.tracks.append(conductor)

    bass = MidiTrack()
    bass.append(MetaMessage('track_name', name='Bass', time=0))
    bass.append(Message('program_change', channel=0, program=33, time=0))
    pattern = [45, 45, 52, 45, 48, 50, 52, 55]
    for index, pitch in enumerate(pattern * 2):
        bass.append(Message('note_on', channel=0, note=pitch, velocity=80 + index % 5 * 7, time=0 if index == 0 else 60))
        bass.append(Message('note_off', channel=0, note=pitch, velocity=0, time=420))
    mid.tracks.append(bass)

    keys = MidiTrack()
    keys.append(MetaMessage('track_name', name='Keys', time=0))
    keys.append(Message('program_change', channel=1, program=4, time=0))
    keys.append(Message('sysex', data=[0x7E, 0x7F, 0x09, 0x01], time=0))
    keys.append(MetaMessage('text', text='comp', time=0))
    for chord_index, chord in enumerate([[57, 60, 64], [53, 57, 60], [55, 59, 62], [52, 55, 59]]):
        for position, pitch in enumerate(chord):
            keys.append(Message('note_on', channel=1, note=pitch, velocity=64 + position, time=0))
        for position, pitch in enumerate(chord):
            keys.append(Message('note_on', channel=1, note=pitch, velocity=0, time=1920 if position == 0 else 0))
    mid.tracks.append(keys)

    drums = MidiTrack()
    drums.append(MetaMessage('track_name', name='Drums', time=0))
    for step in range(32):
        pitch = 36 if step % 8 == 0 else (38 if step % 8 == 4 else 42)
        drums.append(Message('note_on', channel=9, note=pitch, velocity=96 + step % 3 * 10, time=0 if step == 0 else 120))
        drums.append(Message('note_on', channel=9, note=pitch, velocity=0, time=120))
    mid.tracks.append(drums)
    return mid


def running_status():
    """Format 0 whose every note event shares one status byte: note-ons and velocity-0 note-offs on
    channel 3, so the file holds a single 0x93 and then only data bytes."""
    mid = MidiFile(type=0, ticks_per_beat=120)
    track = MidiTrack()
    mid.tracks.append(track)
    for index in range(24):
        pitch = 60 + (index * 5) % 13
        track.append(Message('note_on', channel=3, note=pitch, velocity=50 + index, time=0 if index == 0 else 30))
        track.append(Message('note_on', channel=3, note=pitch, velocity=0, time=90))
    return mid


def format2():
    """Format 2: two independent sequences, each starting at tick 0."""
    mid = MidiFile(type=2, ticks_per_beat=192)
    for number, base in enumerate([60, 72]):
        track = MidiTrack()
        track.append(MetaMessage('track_name', name=f'Pattern {number + 1}', time=0))
        for index in range(8):
            track.append(Message('note_on', channel=number, note=base + index, velocity=90, time=0))
            track.append(Message('note_off', channel=number, note=base + index, velocity=0, time=96))
        mid.tracks.append(track)
    return mid


def describe(name, mid):
    """What mido reads back from the saved file."""
    mid = MidiFile(os.path.join(HERE, name))
    result = {
        'file': name,
        'type': mid.type,
        'ticks_per_beat': mid.ticks_per_beat,
        'tracks': [],
        'notes': [],
        'tempos': [],
        'time_signatures': [],
        'key_signatures': [],
        'program_changes': [],
        'sysex_count': 0,
    }
    for track_index, track in enumerate(mid.tracks):
        tick = 0
        name_seen = None
        open_notes = {}
        notes = []
        for msg in track:
            tick += msg.time
            if msg.is_meta:
                if msg.type == 'track_name' and name_seen is None:
                    name_seen = msg.name
                elif msg.type == 'set_tempo':
                    result['tempos'].append({'tick': tick, 'tempo': msg.tempo})
                elif msg.type == 'time_signature':
                    result['time_signatures'].append(
                        {'tick': tick, 'numerator': msg.numerator, 'denominator': msg.denominator})
                elif msg.type == 'key_signature':
                    result['key_signatures'].append({'tick': tick, 'key': msg.key})
                continue
            if msg.type == 'sysex':
                result['sysex_count'] += 1
            elif msg.type == 'program_change':
                result['program_changes'].append({'tick': tick, 'channel': msg.channel, 'program': msg.program})
            elif msg.type == 'note_on' and msg.velocity > 0:
                note = {'track': track_index, 'channel': msg.channel, 'pitch': msg.note,
                        'velocity': msg.velocity, 'start_tick': tick, 'end_tick': None}
                notes.append(note)
                open_notes.setdefault((msg.channel, msg.note), []).append(note)
            elif msg.type in ('note_on', 'note_off'):
                queue = open_notes.get((msg.channel, msg.note))
                if queue:
                    queue.pop(0)['end_tick'] = tick
        for note in notes:
            if note['end_tick'] is None:
                note['end_tick'] = tick
        result['notes'].extend(notes)
        result['tracks'].append({'name': name_seen, 'messages': len(track), 'end_tick': tick})
    if mid.type != 2:
        # mido's playback iteration: merged tracks, times in seconds through the tempo map.
        seconds = 0.0
        onsets = []
        for msg in mid:
            seconds += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                onsets.append({'seconds': seconds, 'channel': msg.channel, 'pitch': msg.note,
                               'velocity': msg.velocity})
        result['onsets'] = onsets
        result['length_seconds'] = mid.length
    return result


def main():
    fixtures = [
        ('mido_format0.mid', format0()),
        ('mido_format1.mid', format1()),
        ('mido_running_status.mid', running_status()),
        ('mido_format2.mid', format2()),
    ]
    expected = []
    for name, mid in fixtures:
        mid.save(os.path.join(HERE, name))
        expected.append(describe(name, mid))
    with open(os.path.join(HERE, 'mido_expected.json'), 'w') as handle:
        json.dump({'mido_version': importlib.metadata.version('mido'), 'files': expected},
                  handle, indent=1, sort_keys=True)
        handle.write('\n')


if __name__ == '__main__':
    main()
