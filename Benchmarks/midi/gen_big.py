#!/usr/bin/env python3
"""Writes a large multi-track Standard MIDI File for the MIDI benchmark, using mido.

usage: gen_big.py OUT.mid [NOTES] [SEED]     (default 1,000,000 notes, seed 1337)

Format 1, 480 ticks per quarter, a conductor track with tempo and meter changes, then 8 tracks
(drums on channel 9 and 7 pitched parts with programs): chords, overlapping same-pitch notes,
velocity-0 note-offs (so mido writes long runs of running status). Also writes OUT.mid.count with
the exact number of notes, which run.sh uses for notes/s.
"""

import random
import sys

import mido
from mido import Message, MetaMessage, MidiFile, MidiTrack


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'big.mid'
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1337)

    mid = MidiFile(type=1, ticks_per_beat=480)
    conductor = MidiTrack()
    conductor.append(MetaMessage('track_name', name='big', time=0))
    conductor.append(MetaMessage('time_signature', numerator=4, denominator=4, time=0))
    conductor.append(MetaMessage('set_tempo', tempo=mido.bpm2tempo(96), time=0))
    for _ in range(200):
        conductor.append(MetaMessage('set_tempo', tempo=mido.bpm2tempo(rng.randint(70, 160)), time=480 * 64))
    mid.tracks.append(conductor)

    parts = [(9, None, 35, 50)] + [(channel, rng.randrange(128), low, low + 24)
                                   for channel, low in zip(range(7), (28, 40, 48, 55, 60, 67, 72))]
    written = 0
    for index, (channel, program, low, high) in enumerate(parts):
        count = total // len(parts) + (1 if index < total % len(parts) else 0)
        events = []  # (tick, order, message): note-offs sort before note-ons at the same tick
        tick = 0
        made = 0
        while made < count:
            tick += rng.choice((0, 60, 120, 120, 240, 480))
            voices = 1 if channel == 9 or rng.random() < 0.7 else rng.randint(2, 4)
            for _ in range(min(voices, count - made)):
                pitch = rng.randint(low, high)
                length = rng.choice((0, 60, 120, 240, 480, 960)) if rng.random() < 0.99 else 0
                velocity = rng.randint(40, 127)
                events.append((tick, 1, Message('note_on', channel=channel, note=pitch, velocity=velocity)))
                events.append((tick + length, 0 if length else 2,
                               Message('note_on', channel=channel, note=pitch, velocity=0)))
                made += 1
        events.sort(key=lambda event: (event[0], event[1]))
        track = MidiTrack()
        track.append(MetaMessage('track_name', name=f'part {index}', time=0))
        if program is not None:
            track.append(Message('program_change', channel=channel, program=program, time=0))
        previous = 0
        for at, _, message in events:
            track.append(message.copy(time=at - previous))
            previous = at
        mid.tracks.append(track)
        written += made

    mid.save(out)
    with open(out + '.count', 'w') as handle:
        handle.write(f'{written}\n')
    print(f'{out}: {written} notes')


if __name__ == '__main__':
    main()
