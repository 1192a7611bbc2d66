#!/usr/bin/env python3
"""Times mido reading a MIDI file and pairing its notes, as the Swift reader does.

usage: mido_bench.py FILE.mid [REPEATS]     (default 1 repeat; the best time is reported)

Pairing: a note-off (or note-on with velocity 0) ends the oldest open note of the same track,
channel and pitch; this is the note extraction the Swift reader performs, so the two timings
cover comparable work (the Swift side also computes every metric, which only favours mido).
"""

import importlib.metadata
import os
import sys
import time

import mido


def extract_notes(mid):
    notes = []
    for track_index, track in enumerate(mid.tracks):
        tick = 0
        open_notes = {}
        for msg in track:
            tick += msg.time
            if msg.type == 'note_on' and msg.velocity > 0:
                note = [track_index, msg.channel, msg.note, msg.velocity, tick, None]
                notes.append(note)
                open_notes.setdefault((msg.channel, msg.note), []).append(note)
            elif msg.type in ('note_off', 'note_on'):
                queue = open_notes.get((msg.channel, msg.note))
                if queue:
                    queue.pop(0)[5] = tick
        for note in notes:
            if note[5] is None:
                note[5] = tick
    return notes


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    size = os.path.getsize(path)
    best_parse = best_total = float('inf')
    count = 0
    for _ in range(repeats):
        start = time.perf_counter()
        mid = mido.MidiFile(path)
        parsed = time.perf_counter()
        count = len(extract_notes(mid))
        done = time.perf_counter()
        best_parse = min(best_parse, parsed - start)
        best_total = min(best_total, done - start)
    print(f'mido {importlib.metadata.version("mido")}: {count} notes, {size} bytes')
    print(f'mido parse:           {best_parse:.3f} s  {count / best_parse:.0f} notes/s  {size / 1e6 / best_parse:.2f} MB/s')
    print(f'mido parse+notes:     {best_total:.3f} s  {count / best_total:.0f} notes/s  {size / 1e6 / best_total:.2f} MB/s')


if __name__ == '__main__':
    main()
