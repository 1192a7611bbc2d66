/// The phrase banks the catalogue's extension blocks are written from. Each phrase reads as part of a producer's
/// brief; `{style}`, `{key}`, `{lead}`, `{bass}`, `{bars}`, `{tempo}` and `{section}` are filled from the item.
/// Plain (single-line) phrases never contain `": "` or `" #"`, so they stay YAML scalars.
extension PromptBrief {
    enum Bank {
        // MARK: Harmony

        static let voicings: [Mood: [String]] = [
            .groove: [
                "rootless four-note voicings in the middle register, thirds and sevenths on the bottom",
                "close voicings with the ninth on top, left hand playing only the seventh and third",
                "spread voicings, root in the bass, a cluster of ninth, third and thirteenth above middle C",
                "drop-two voicings that move by step, never jumping more than a third",
            ],
            .club: [
                "stacked minor sevenths in one tight octave, identical shape on every chord",
                "open fifths in the low end, the colour tones only in the stabs",
                "one chord shape transposed in parallel, the old rave habit",
                "wide detuned triads with the third doubled an octave up",
            ],
            .band: [
                "power chords and open-string triads, the third left to the bass or the voice",
                "big open-position chords with ringing strings on top",
                "triads in the middle register, inversions chosen so the top voice moves by step",
                "octave-doubled triads, the root always in the bass",
            ],
            .space: [
                "wide voicings spanning three octaves, root and fifth low, ninth and sixth high",
                "sustained clusters of seconds in the middle register, slowly resolving outward",
                "open fifths in the low strings, the colour carried by the upper voices",
                "close harmony in the upper register, no root until the last chord",
            ],
        ]

        static let harmonicRhythms = [
            "two bars per chord, changing on the downbeat",
            "the loop repeats; chords change on the downbeat and are anticipated by an eighth in the last bar",
            "slow, one change every two bars, with passing chords only at the turnaround",
            "changes land on the downbeat, except the last, which is pushed an eighth early",
        ]

        static let extensions: [Mood: [String]] = [
            .groove: [
                "ninths and elevenths everywhere, a flat nine on the dominant",
                "sevenths and thirteenths, the occasional sharp eleven",
                "minor ninths and sixths, dominants kept bluesy with a sharp nine",
            ],
            .club: [
                "minor sevenths and sus fours, nothing busier",
                "plain triads; the colour comes from the sound design, not the harmony",
                "added ninths in the stabs, sus chords at the turnarounds",
            ],
            .band: [
                "mostly triads, a sus four resolving on the turnaround",
                "add nines on the open chords, a major seventh in the last bar",
                "none; power chords and the odd sus two",
            ],
            .space: [
                "sus twos and add nines, open and unresolved",
                "major sevenths with a sharp eleven floating above",
                "minor with an added ninth, the third sometimes left out",
            ],
        ]

        static let bassMotions = [
            "roots on the downbeats, a passing tone into each change",
            "root and fifth, with a chromatic approach into the next chord",
            "pedal on the tonic under the first half, following the roots after",
            "stepwise motion between chord roots, contrary to the top voice",
            "mostly roots, the fifth on the weak beats, an octave leap at the turnaround",
        ]

        // MARK: Melody

        static let registers: [RoleProfile.Part: String] = [
            .drums: "full kit, kick and snare carrying the shape",
            .bass: "E1-C3, the sweet spot around A1",
            .chords: "C3-C5, the top voice between G4 and C5",
            .pad: "C2-C6, wide and even",
            .melody: "G3-D5, the peak note used once",
            .arpeggio: "C4-C6, bright and above everything",
        ]

        static let contours = [
            "Opens on the fifth and steps down toward the third, leaving space after every phrase. The second phrase answers the first a step higher and reaches the peak of the line in bar {bars}, or close to it, before settling.",
            "A rising question and a falling answer. The first half climbs by thirds and fourths, hangs on an unresolved note, then the second half walks back down by step and lands softly on the tonic of {key}.",
            "Circles a single note for most of the first half, leaning on its neighbours above and below, then breaks free with a leap of a sixth and a slow descent. The leap is the moment the whole part is built around.",
            "Short cells of two and three notes that repeat with small changes, each cell starting a little higher than the last, so the line climbs without ever seeming to try.",
            "A long, singing line with few notes, each held as long as it can be. It moves mostly by step, with one surprising leap in the middle and a sigh downward at the end of each phrase.",
            "Call and response inside one voice: a low, short call, a higher and longer reply, the reply varied each time it comes back.",
        ]

        static let contourEndings = [
            "The last phrase should feel like the end of a sentence, not a question.",
            "Leave the final note slightly unresolved so the loop wants to start again.",
            "End on the third rather than the root; warmer, less final.",
            "Resolve only on the very last beat, never earlier.",
            "The {lead} should never be busy; if in doubt, leave a note out.",
        ]

        static let motifs = [
            "a three-note figure, down a step and up a fourth, repeated in rhythm and varied in pitch",
            "a dotted rhythm on one pitch followed by a falling third",
            "a syncopated pickup into a long note on beat one",
            "a rising arpeggio of the tonic chord, cut short before the top",
            "a neighbour-note turn around the fifth",
        ]

        static let phraseStructures = [
            "two-bar phrases in question and answer",
            "four-bar phrases, the second a varied repeat of the first",
            "one long phrase over the whole section, broken by a single breath",
            "short one-bar cells, grouped two plus two",
        ]

        static let breaths = [
            "a full beat of rest after each phrase",
            "short — the line keeps moving, breathing on the bar lines",
            "long — at least half a bar between phrases",
            "irregular, as a singer would breathe",
        ]

        static let densities = [
            "very sparse — a note every two or three beats",
            "sparse — a few notes per bar, plenty of rests",
            "moderate — a phrase every bar, rests between",
            "busy in the hooks, sparse between them",
            "dense — constant motion, eighths and sixteenths",
        ]

        // MARK: Rhythm

        static let pockets: [Mood: [String]] = [
            .groove: [
                "snare slightly late, kick on the grid, hats drifting",
                "everything a hair behind the beat except the kick",
                "loose and conversational, the parts leaning on each other",
            ],
            .club: [
                "quantised kick, everything else nudged a few milliseconds late",
                "machine-tight, the groove comes from the accents and the swing amount",
                "locked grid, with the hats pushed slightly ahead for urgency",
            ],
            .band: [
                "on top of the beat, pushing forward",
                "dead centre, the band locked to the kick drum",
                "slightly ahead in the chorus, relaxed in between",
            ],
            .space: [
                "no pocket to speak of; the pulse is implied by the swells",
                "gentle, elastic time, the tempo breathing with the phrases",
                "steady but soft, nothing on the grid sounds mechanical",
            ],
        ]

        static let accents = [
            "the downbeat of every bar and the and-of-four before the turnaround",
            "two and four, with a push on the last sixteenth of bar four",
            "the one, strongly; everything else even",
            "shifting every bar to keep the ear guessing",
            "the first beat of each phrase, and the last note of the section",
        ]

        // MARK: Dynamics

        static let levels: [[String]] = [
            ["ppp", "pp", "p", "pp"],
            ["pp", "p", "mp", "p"],
            ["p", "mp", "mf", "mp"],
            ["mf", "f", "ff", "f"],
            ["f", "ff", "fff", "ff"],
        ]

        static let arcShapes: [[String]] = [
            [
                "settling in, parts entering one by one", "the groove established, nothing new",
                "the fullest moment, every part present", "easing off into the loop point",
            ],
            [
                "a quiet statement", "a little more weight in the low end", "the lift — brighter, busier",
                "holding the lift to the last beat",
            ],
            ["barely there", "gathering", "opening up", "falling back to where it began"],
            [
                "full from the first beat", "a small dip for contrast", "back to full, one layer thicker",
                "a last push into the downbeat",
            ],
        ]

        static let accentVelocity = [62, 78, 96, 110, 120]
        static let ghostVelocity = [18, 26, 34, 40, 46]

        // MARK: Orchestration

        static func instruments(_ part: RoleProfile.Part, mood: Mood, role: String) -> [String] {
            switch (part, mood) {
            case (.drums, .groove):
                return [
                    "dusty sampled kit, felt on the kick, a crisp snare with a short room",
                    "vintage kit recorded with one overhead and a kick mic",
                    "dry studio kit, tight snare, loose hats",
                ]
            case (.drums, .club):
                return [
                    "drum machine kit, punchy kick with a long tail", "layered electronic kit, a clap over the snare",
                    "hard synthetic kit, clipped kick and metallic hats",
                ]
            case (.drums, .band):
                return [
                    "full acoustic kit, big room microphones", "live kit with the toms tuned low",
                    "tight rock kit, snare cracking in the room",
                ]
            case (.drums, .space):
                return [
                    "orchestral percussion, low toms and a bass drum", "soft mallets on toms and a distant bass drum",
                    "processed percussion, more texture than kit",
                ]
            case (.bass, .groove):
                return [
                    "round electric bass with flatwound strings", "upright bass, close-miked, warm",
                    "muted electric bass played with the thumb",
                ]
            case (.bass, .club):
                return [
                    "mono synth bass with a sub underneath", "sine sub with a little saturation",
                    "analogue bass with a resonant filter",
                ]
            case (.bass, .band):
                return [
                    "picked electric bass through a driven amp", "P-bass with round-wounds, bright and punchy",
                    "electric bass doubled by a DI and an amp",
                ]
            case (.bass, .space):
                return [
                    "low strings and a sine sub", "contrabass section, pizzicato and arco",
                    "deep synthesised bass, felt more than heard",
                ]
            case (.pad, _), (.chords, .space):
                return [
                    "\(role), played as a warm sustained layer", "\(role) with a slow attack and long release",
                    "\(role), voiced wide and kept soft",
                ]
            case (.arpeggio, _):
                return [
                    "\(role) on a bright plucked synth", "\(role) with a glassy tone and a short decay",
                    "\(role), a clean square wave filtered soft",
                ]
            default:
                return [
                    "\(role), played with a natural, unfussy tone", "\(role), close-miked and intimate",
                    "\(role) with a characterful, slightly worn sound",
                ]
            }
        }

        static let techniques: [RoleProfile.Part: [String]] = [
            .drums: [
                "ghost notes on the snare between backbeats, hats varied in openness",
                "a simple pattern played with feel, fills only at phrase ends",
                "kick and snare doing the work, cymbals kept sparse",
            ],
            .bass: [
                "locks to the kick, notes cut short before the next hit",
                "legato lines with slides into the chord tones",
                "mostly roots, with one melodic fill per phrase",
            ],
            .chords: [
                "comping on the offbeats, leaving the downbeats to the bass",
                "sustained chords with moving inner voices",
                "rhythmic stabs that double the snare pattern",
            ],
            .pad: [
                "long sustained chords, crossfading at every change",
                "swells that rise into each downbeat and fade before the next",
                "one slowly evolving chord, the filter doing the moving",
            ],
            .melody: [
                "sings the line with small slides into the long notes",
                "plays the tune plainly, ornamenting only the repeats",
                "phrased like a voice, breathing between phrases",
            ],
            .arpeggio: [
                "sixteenth-note arpeggio through the chord tones, up and down",
                "an eighth-note pattern that skips the root",
                "a repeating figure that shifts accent against the bar",
            ],
        ]

        static let articulations: [RoleProfile.Part: [String]] = [
            .drums: ["short and punchy", "loose, with ringing cymbals", "tight, dampened toms"],
            .bass: ["short and round", "legato, notes touching", "staccato on the pushes, long on the downbeats"],
            .chords: ["short stabs", "held for the full value", "slightly detached, breathing between chords"],
            .pad: ["legato, no gaps", "slow attack, slow release", "sustained, swelling"],
            .melody: ["legato with a soft attack", "detached, almost spoken", "long notes with vibrato on the ends"],
            .arpeggio: ["staccato, gated", "short plucks, even velocity", "light and percussive"],
        ]

        static let mixRoles: [RoleProfile.Part: [String]] = [
            .drums: [
                "the backbone, loudest element", "foundation, slightly behind the music", "the driver of the energy",
            ],
            .bass: [
                "the floor everything stands on", "locked with the kick, equal weight", "warm and felt, never boomy",
            ],
            .chords: ["the harmonic bed", "colour and movement in the middle", "rhythmic glue between bass and lead"],
            .pad: ["background atmosphere", "the air around the other parts", "a soft bed, never in front"],
            .melody: ["front and centre", "the voice of the piece", "the focus, everything else serves it"],
            .arpeggio: ["shimmer above the mix", "motion in the background", "the sparkle on top"],
        ]

        // MARK: Effects

        static let spaces: [Mood: [String]] = [
            .groove: [
                "small wooden room, 0.8s decay, 10ms predelay", "vintage plate, 1.6s decay, 20ms predelay",
                "warm chamber, 1.2s decay, 15ms predelay",
            ],
            .club: [
                "dark hall, 2.5s decay, 30ms predelay", "bright plate, 1.4s decay, gated short",
                "big warehouse space, 3s decay, 40ms predelay",
            ],
            .band: [
                "live room, 1s decay, 15ms predelay", "large studio room, 1.5s decay, 20ms predelay",
                "club stage, 1.2s decay, 10ms predelay",
            ],
            .space: [
                "large stone church, 5s decay, 40ms predelay", "concert hall, 3.5s decay, 30ms predelay",
                "infinite shimmer hall, 8s decay, 60ms predelay",
            ],
        ]

        static let sends = [
            "20% wet", "30% wet", "a little more wet than the rest", "15% wet, high end rolled off", "40% wet",
        ]

        static let processing: [RoleProfile.Part: [String]] = [
            .drums: [
                "compression: parallel bus, slow attack, fast release", "saturation: tape, gentle, mostly on the snare",
                "filter: highpass on the hats at 400hz",
            ],
            .bass: [
                "compression: steady, 4 to 1, fast attack", "saturation: warm valve drive for the upper harmonics",
                "filter: lowpass at 2khz",
            ],
            .chords: ["filter: gentle lowpass at 6khz", "chorus: slow and shallow", "saturation: light tape wobble"],
            .pad: [
                "filter: lowpass at 3khz, slowly opening", "chorus: wide and slow",
                "eq: cut below 150hz to leave room for the bass",
            ],
            .melody: [
                "compression: light, just levelling the phrases", "eq: presence lift at 3khz",
                "saturation: soft valve warmth",
            ],
            .arpeggio: [
                "filter: resonant lowpass, cutoff following the dynamics", "eq: highpass at 300hz",
                "chorus: subtle, for width",
            ],
        ]

        static let delays = [
            "dotted eighth, 25% feedback, low in the mix", "quarter note ping-pong, 30% feedback",
            "eighth note tape echo, darkening repeats",
            "none; keep it dry and close", "slapback, 90ms, single repeat",
        ]

        static let masterBus = [
            "gentle glue compression, 2 to 1, 2db of gain reduction", "tape saturation and a soft limiter, no pumping",
            "light multiband compression, the low end kept mono", "no limiting; preserve the dynamics",
        ]

        // MARK: Expression

        static let expressionArcs = [
            "calm to full to calm", "a steady climb to the last bar", "restraint, then release",
            "constant energy with small waves",
            "a single breath in and out",
        ]

        static let narratives = [
            "This is {style} at {tempo} BPM, and the tempo matters: fast enough to move, slow enough that every note has room. The {bass} sets the ground in the first bar and never leaves it. Everything the {lead} does is a response to that ground, sometimes agreeing, sometimes pulling away.",
            "Think of the {section} as a room you walk into. At first you notice only the {bass}, the floor under your feet. Then the {lead} appears, like someone speaking from across the room, and the space starts to feel inhabited. By the last bars the room is full, but nobody is shouting.",
            "The piece tells one small story in {bars} bars. It starts with a statement that is almost shy, grows a little bolder each time the phrase comes round, and by the end it says the same thing with complete conviction. Nothing new is introduced; everything is developed.",
            "What matters here is the conversation between the parts. The {lead} asks, the {bass} answers, and the rest of the band comments quietly. No part should play as if it were alone, and no part should fill a gap another part left on purpose.",
            "Picture the moment just before something happens. The harmony in {key} leans forward, the rhythm holds its breath, and the {lead} keeps hinting at a resolution it never quite gives. The tension is the point; do not release it too early.",
            "This should sound like musicians who know the tune so well they have stopped thinking about it. The {bass} plays with its eyes closed, the {lead} takes small liberties with the rhythm, and nothing is ever exactly where the grid says it should be.",
        ]

        static let narrativeMiddles = [
            "The harmony in {key} is simple on paper; the interest comes from how each chord is voiced and when it arrives. A chord that lands a sixteenth early says something different from one that lands on the beat, and the part should know which it wants.",
            "Dynamics carry as much meaning as pitch here. A phrase played softly the second time is an answer, not a repeat, and the loudest moment should be saved for one place only.",
            "The listener should never be aware of the grid. Even where the rhythm is strict, the notes should feel placed by hands, with small differences in weight between the strong and weak beats.",
            "Texture is the main storytelling tool. When a part drops out, its absence should be felt, and when it returns it should sound slightly different from before, as if it had been somewhere.",
            "Think about the first and last notes of each part before anything else. Where a line begins and ends tells the ear what kind of piece this is long before the middle does.",
            "The {section} is one mood held for {bars} bars, but a mood is not a photograph. It should move inside itself, the way a face moves while its expression stays the same.",
        ]

        static let narrativeEndings = [
            "When in doubt, take something away.",
            "The last bar should make you want to hear the first one again.",
            "Keep the mood from the first note to the last; no sudden changes of heart.",
            "Let the {section} end where it began, changed only a little.",
            "It is a small piece; let it stay small and be perfect.",
        ]

        static let placements = [
            "slightly left", "slightly right", "wide, spread across both sides", "high above the centre",
            "a little behind the others, to the right", "close and dry, just left of centre",
        ]

        static let spatialEndings = [
            "The listener is in the middle of the band, not in the audience.",
            "Depth comes from the reverb, width from the doubled parts.",
            "Keep the low end narrow and the top wide.",
            "Everything shares one room; nothing should sound pasted on.",
        ]

        // MARK: Texture

        static let textureDensities = [
            "nearly silent, a few sounds in a large space",
            "sparse, with clear gaps between the parts",
            "medium, every part audible on its own",
            "thick, layered, the parts interlocking",
            "a wall of sound, every register filled",
        ]

        static let spacePrinciples = [
            "Every part owns a register and stays there. When two parts want the same space, the one that came second moves. The {bass} is the only part allowed below middle C except the kick.",
            "Silence is an instrument in this piece. The gaps between phrases are as carefully placed as the notes, and a rest should never be filled just because it is there.",
            "The texture is built from the bottom up: the {bass} first, then the rhythm, then the harmony, then the {lead}. Each layer should sound complete without the layers above it.",
            "Density follows the dynamics. Quiet bars are thin, loud bars are thick; the arrangement itself is the crescendo, not just the velocities.",
            "Keep the middle of the spectrum clear for the {lead}. Chords sit below or above it, never on top of it, and the busiest rhythms live in the high end.",
        ]

        // MARK: Arrangement

        static let absences: [String: [String]] = [
            "without_drums": [
                "There is no drummer, so the pulse has to live in the other parts. Accent the downbeats slightly, let the rhythm of the harmony carry the time, and never rush to fill a silence with notes.",
                "No drums: the time is kept by the phrasing alone. The parts should breathe together, slightly elastic, landing the important downbeats together without a click to follow.",
                "Without a kit, the rhythmic identity comes from articulation. Short notes give drive, long notes give calm; choose deliberately on every beat.",
            ],
            "without_bass": [
                "There is no bass part, so the lowest voice of whatever plays must behave like one. Keep its lowest notes on roots and fifths and do not let the low end get muddy with close intervals.",
                "No bass: let the low end stay open and airy. The harmony is implied from above, and the lowest sounding note should still make the chord clear on its own.",
                "With no bass, the kick or the lowest voice carries the weight. Leave the sub range almost empty; the space down there is part of the sound.",
            ],
            "without_harmony": [
                "Nothing plays chords, so the harmony has to be outlined by the line itself. Favour chord tones on strong beats, put the colour notes on weak beats, and let the progression in {key} be heard through the melody and bass alone.",
                "There is no harmonic instrument. The progression still matters, but it is implied: arpeggiated in the line, suggested by the bass, and completed in the listener's ear.",
                "No chords: the part must suggest the changes on its own. Outline each chord once, clearly, then feel free to decorate it until the next change.",
            ],
            "without_melody": [
                "There is no lead melody, so the top voice of the harmony is the tune. Voice the chords so the highest note moves in a singable line, and give it one small, memorable turn.",
                "No melody on top: this is a bed for a vocal or a lead to be added later. Leave the range between C4 and C5 uncluttered so that a voice can sit there comfortably.",
                "Without a melody, the hook has to be rhythmic. Make the groove distinctive enough that someone could tap it back after one listen.",
            ],
        ]

        static let drumsAlone = [
            "The kit plays alone, so it has to be the whole arrangement: the kick is the bass, the snare and toms are the melody, and the cymbals are the harmony. Tune the toms to {key} so the fills sing, and let every bar have one hit someone would remember.",
            "Nothing but drums. The pattern should be musical enough to stand without any other part: a clear low-high conversation between kick and snare, dynamics that rise and fall like phrases, and a fill that feels like a sentence ending.",
        ]

        // MARK: Form

        static let statementIntensities = [
            "the idea stated plainly, nothing decorated", "quiet and confident", "the full groove from the first beat",
            "a slightly held-back version of what is to come",
        ]

        static let answerVariations = [
            "the same material with one added layer", "the melody varied, the groove unchanged",
            "a fill and a small lift into the loop point",
            "the harmony reharmonised on the last chord",
        ]

        static let sectionRoles = [
            "the sparsest statement, setting the mood",
            "the material grows, layers added, rhythm busier",
            "everything present, the high point of the piece",
        ]

        static let variationStrategies = [
            "Each repetition changes one thing only: a note in the melody, a hit in the drums, a voicing in the chords. The listener should feel the movement without being able to say what changed.",
            "The first half states the material and the second half develops it. The development is additive: nothing that was there disappears, something is layered on top.",
            "Keep the loop honest. The variation comes from the performance, dynamics, timing and small ornaments, not from new material.",
            "Build by subtraction as much as addition. Take the {bass} out for a bar before the end so its return lands with weight.",
            "Variation follows the phrase structure: every second phrase is an answer, and answers are allowed to be more elaborate than questions.",
        ]

        // MARK: Humanization and MIDI

        static let humanFeels: [Mood: [String]] = [
            .groove: [
                "relaxed and human, nothing quantised hard", "played, not programmed",
                "loose in the right places, tight on the one",
            ],
            .club: [
                "machine-precise with human accents", "tight grid, lively velocities", "programmed, but never static",
            ],
            .band: ["a live band in one room", "energetic, slightly rushing in the loud bars", "tight but unpolished"],
            .space: ["free, maximum human imperfection", "breathing, elastic time", "soft edges everywhere"],
        ]

        static let modulationDepths = [
            "slow vibrato, CC 1 rising from 0 to 40", "gentle, only on the held notes",
            "none in the first half, then a slow swell",
            "subtle, CC 1 around 20 throughout",
        ]

        static let pedalStyles = [
            "half pedal, changing with the harmony", "full sustain, lifted at each chord change",
            "sparing, only on the long chords",
        ]

        static let bendStyles = [
            "small scoops into the long notes", "slides between chord tones on the bass",
            "a slow bend up at the end of each phrase",
            "none except one expressive bend at the peak",
        ]

        static let leadParameters = ["reverb_wet", "filter_cutoff", "delay_feedback", "volume"]
        static let supportParameters = ["filter_cutoff", "volume", "reverb_wet", "pan"]
    }
}
