extension PromptCatalogue {
    /// The 51 prompts, in no particular order (the routes shuffle them).
    static let items: [Item] = grooveItems + clubItems + bandItems + spaceItems

    private static let grooveItems: [Item] = [
        Item(
            id: "lofi_boom_bap",
            name: "Lo-fi boom bap",
            section: "verse",
            style: "lofi hip hop",
            key: "Cm",
            tempo: 75,
            energy: "low",
            roles: ["drums", "bass", "piano", "melody"],
            bars: 8,
            vibe: ["dusty x3", "warm", "nostalgic"],
            request: """
                A laid-back head-nod verse for a rainy afternoon. The drums are a dusty sampled kit, kick slightly \
                ahead and snare lazily late, hats ticking on swung sixteenths with the odd dropped hit. The bass is a \
                round, muted electric that doubles the kick on one and answers it with a lazy slide into bar two. \
                The piano plays minor ninth chords with the top note wobbling as if the tape were stretched, leaving \
                whole beats of silence between chords. Over it, a sparse melody of five or six notes, more hummed \
                than sung, that never quite lands on the tonic until the last bar. Keep it small, warm and a little \
                tired, like a beat made at two in the morning with headphones on and the window open.
                """,
            scale: "C dorian",
            progression: ["Cm9", "Abmaj7", "Fm9", "G7b9"],
            feel: "behind the beat, lazy swung sixteenths, snare dragged late",
            swing: 58,
            character: "J Dilla's drunk drums under a Nujabes piano, recorded on a worn cassette"
        ),
        Item(
            id: "boom_bap_classic",
            name: "Boom bap classic",
            section: "verse",
            style: "boom bap",
            key: "Am",
            tempo: 90,
            energy: "medium",
            roles: ["drums", "bass"],
            bars: 8,
            vibe: ["gritty x2", "swing"],
            request: """
                A stripped-down nineties verse with nothing but drums and bass, the kind an MC would ask for. The \
                kick is hard and short, the snare cracks on two and four with a room tail, and the hats swing on \
                eighths with an open hat at the end of every second bar. The bass is a dark, plucked upright sample \
                that locks to the kick pattern note for note, then breaks away for a four-note turnaround in bar \
                eight. Leave pockets where a vocal would sit; nothing should compete with the voice. Let the groove \
                carry the whole piece, gritty and confident, never busy.
                """,
            scale: "A natural minor",
            progression: ["Am7", "Am7", "Dm9", "E7#9"],
            feel: "hard swung eighths, kick on the one and the and of two",
            swing: 60,
            character: "Pete Rock and DJ Premier trading drum breaks in a Queens basement"
        ),
        Item(
            id: "late_night_jazz_trio",
            name: "Late-night jazz trio",
            section: "head",
            style: "jazz",
            key: "Bb",
            tempo: 132,
            energy: "medium",
            roles: ["drums", "bass", "piano"],
            bars: 8,
            vibe: ["smoky", "swing x2"],
            request: """
                A piano trio playing the head of a medium-up standard at the last set of the night. The drummer \
                keeps time on the ride with a feathered kick and a hi-hat on two and four, dropping the occasional \
                snare comment between phrases. The bass walks in quarter notes, chromatic approach tones into every \
                chord change, and plays a two-feel for the first four bars before walking. The piano comps in \
                rootless voicings on the off-beats and states the melody in the right hand with small grace-note \
                turns. Keep the ii-V-I motion clear, let the trio listen to each other, and end on a ringing major \
                ninth rather than a cadence.
                """,
            scale: "Bb major with bebop passing tones",
            progression: ["Cm7", "F7", "Bbmaj7", "Gm7", "Cm7", "F7", "Dm7", "G7alt"],
            feel: "swung quarter-note ride pulse, two-feel then walking",
            swing: 64,
            character: "the Bill Evans trio at the Village Vanguard, glasses clinking in the back"
        ),
        Item(
            id: "funk_strut",
            name: "Funk strut",
            section: "groove",
            style: "funk",
            key: "Em",
            tempo: 104,
            energy: "high",
            roles: ["drums", "bass", "guitar", "brass"],
            bars: 4,
            vibe: ["tight x2", "syncopated"],
            request: """
                A tight four-bar funk groove for a band that has played together for years. The drums are all \
                ghost notes and sixteenth-note hats, with a fat snare on two and four and a kick that never lands \
                quite where you expect. The bass slaps octaves on the one, pops the upper note and leaves the \
                and-of-three empty. The guitar scratches muted sixteenths and opens into a single E9 chord stab on \
                the four. The brass section answers with two short unison hits at the end of bars two and four, \
                staccato and loud. Everything is about the one: land it together, then scatter.
                """,
            scale: "E dorian",
            progression: ["Em9", "Em9", "A13", "Em9"],
            feel: "straight sixteenths, everything pointing at the one",
            swing: 52,
            character: "the JBs horn section with Bootsy Collins on bass and Clyde Stubblefield on drums"
        ),
        Item(
            id: "roots_reggae",
            name: "Roots reggae",
            section: "verse",
            style: "roots reggae",
            key: "G",
            tempo: 76,
            energy: "low",
            roles: ["drums", "bass", "organ"],
            bars: 8,
            vibe: ["one drop", "warm"],
            request: """
                A one-drop verse that breathes. The kick and a rimshot snare land together on the third beat and \
                nowhere else, the hi-hat ticks eighths with a little shuffle, and there is a small tom roll into \
                bar five. The bass is the melody of this music: deep, round and melodic, walking down from the root \
                through the fifth and resting on long notes, leaving the first beat of every other bar empty. The \
                organ plays the bubble, short offbeat chops in both hands, with a longer sustained chord under the \
                turnaround. Keep the space generous and the low end warm enough to feel in the chest.
                """,
            scale: "G mixolydian",
            progression: ["G", "C", "G", "D7"],
            feel: "one drop, kick and snare together on three, shuffled hats",
            swing: 56,
            character: "a Studio One rhythm section with a Lee Perry mix on the desk"
        ),
        Item(
            id: "bossa_evening",
            name: "Bossa evening",
            section: "verse",
            style: "bossa nova",
            key: "Dm",
            tempo: 120,
            energy: "low",
            roles: ["drums", "bass", "guitar", "flute"],
            bars: 8,
            vibe: ["breezy", "intimate"],
            request: """
                A quiet bossa nova for a terrace at dusk. The drums keep a cross-stick clave pattern with brushes \
                on the snare and a soft kick on one and the and-of-two. The bass plays root and fifth in a gentle \
                dotted rhythm, never louder than the guitar. The nylon guitar carries the harmony with the classic \
                syncopated thumb-and-fingers pattern, minor sixth and half-diminished chords moving by half steps. \
                The flute enters in bar three with a long, breathy line in the low register, a few notes per bar, \
                rising to a held ninth at the end. Keep it intimate and unhurried, as if nobody were listening.
                """,
            scale: "D melodic minor",
            progression: ["Dm6", "Em7b5", "A7b9", "Dm6", "Gm7", "C7", "Fmaj7", "E7b9"],
            feel: "gentle partido alto with a cross-stick clave",
            swing: 50,
            character: "Joao Gilberto on a balcony in Ipanema with a flute from a neighbouring window"
        ),
        Item(
            id: "afrobeat_sunrise",
            name: "Afrobeat sunrise",
            section: "groove",
            style: "afrobeat",
            key: "G",
            tempo: 110,
            energy: "high",
            roles: ["drums", "bass", "guitar", "horns"],
            bars: 4,
            vibe: ["joyful x2", "polyrhythmic"],
            request: """
                A bright, interlocking afrobeat groove at sunrise. The drummer plays a busy open hi-hat pattern \
                against a kick that shifts every bar and a snare that speaks in short, conversational phrases, with \
                shaker and clave implied in the ride. The bass plays a cyclical two-bar riff that never resolves, \
                leaning on the flat seventh. The guitar plays a single-note tenor line, muted and percussive, that \
                locks with the bass an octave up. The horns state a short unison riff in bar three and a harmonised \
                answer in bar four. Everything repeats; the joy is in the repetition and the friction between the \
                parts.
                """,
            scale: "G mixolydian",
            progression: ["G7", "G7", "C9", "G7"],
            feel: "interlocking sixteenths, the kick moving against a steady hat",
            swing: 54,
            character: "Tony Allen's drums under an Africa 70 horn section at the Shrine"
        ),
        Item(
            id: "neo_soul_keys",
            name: "Neo-soul keys",
            section: "verse",
            style: "neo soul",
            key: "Eb",
            tempo: 86,
            energy: "medium",
            roles: ["drums", "bass", "rhodes"],
            bars: 8,
            vibe: ["silky", "behind the beat"],
            request: """
                A silky neo-soul verse that leans back. The drums sit behind the beat, a loose kick and a snare \
                with a little flam, hats that swing unevenly as if played by a tired hand. The fretless bass slides \
                into every chord from below and plays fewer notes than you expect, with a long held note under the \
                fourth bar. The Rhodes plays rich seventh and eleventh chords with inner voices that move by step, \
                a tremolo that is barely there, and a small pickup phrase before bar five. Let the chords do the \
                talking; the groove should feel like a slow nod with the eyes closed.
                """,
            scale: "Eb major with a borrowed flat six",
            progression: ["Abmaj9", "Gm7", "Fm11", "Bb13sus4", "Abmaj9", "Gm7", "Cm9", "Bb7sus4"],
            feel: "drunk, behind the beat, uneven sixteenth swing",
            swing: 59,
            character: "D'Angelo's Voodoo sessions with the Rhodes up front in the mix"
        ),
        Item(
            id: "gospel_praise",
            name: "Gospel praise",
            section: "chorus",
            style: "gospel",
            key: "Ab",
            tempo: 84,
            energy: "high",
            roles: ["drums", "bass", "organ", "piano"],
            bars: 4,
            vibe: ["uplifting", "churchy x2"],
            request: """
                A shouting four-bar chorus for a Sunday praise break. The drummer plays big fills into every bar, \
                a fat backbeat and crash accents with the choir. The bass walks between the chords with chromatic \
                runs and a big slide into the one. The organ roars with the drawbars out, swelling on the held \
                chords and stabbing on the pushes. The piano plays wide gospel voicings with both hands, walkups in \
                thirds and a run into the final chord. Make it uplifting, joyful and loud, with the whole band \
                hitting the passing chords together.
                """,
            scale: "Ab major with gospel passing chords",
            progression: ["Dbmaj7", "Eb/Db", "Cm7", "F7#9"],
            feel: "heavy twelve-eight shuffle under a straight backbeat",
            swing: 62,
            character: "a Sunday choir with a Hammond B3 through a Leslie cranked to fast"
        ),
        Item(
            id: "solo_bass_groove",
            name: "Solo bass groove",
            section: "groove",
            style: "funk",
            key: "A",
            tempo: 100,
            energy: "medium",
            roles: ["bass"],
            bars: 4,
            vibe: ["pocket"],
            request: """
                A bass riff that works entirely on its own, with no drums to lean on. The bass has to be the \
                drummer, the harmony and the hook at once: a thumb-slapped root on the one, popped octaves on the \
                offbeats, ghosted dead notes to keep the sixteenths moving, and a hammer-on lick through the minor \
                pentatonic at the end of bar two. Bar four answers bar two with the same shape a fourth up. Leave \
                one or two rests so the groove can breathe, and make the one so strong that a listener could count \
                the bar without hearing anything else.
                """,
            scale: "A minor pentatonic with a major third",
            progression: ["A7", "A7", "D9", "A7"],
            feel: "sixteenth-note pocket with dead notes on every gap",
            swing: 53,
            character: "Larry Graham showing a room how to play the one"
        ),
        Item(
            id: "breakbeat_drums",
            name: "Breakbeat drums",
            section: "break",
            style: "boom bap",
            key: "Dm",
            tempo: 94,
            energy: "medium",
            roles: ["drums"],
            bars: 4,
            vibe: ["crunchy x2"],
            request: """
                A four-bar drum break on its own, sampled-sounding and crunchy. The kick is a short thud with a \
                second hit on the and-of-two, the snare is fat with a ghosted grace note before the backbeat in \
                bars two and four, and the hats play eighths with an open hat on the last eighth of every bar. \
                Bar four ends with a fill down the toms into a crash on the next downbeat. Think of a break a \
                producer would chop, so keep each hit clean and separate, and make the pattern interesting enough \
                to loop for a minute without getting boring.
                """,
            scale: "D minor for the tuned toms",
            progression: ["Dm", "Dm", "Dm", "Dm"],
            feel: "swung eighths with a crunchy, compressed backbeat",
            swing: 57,
            character: "a funk break pulled off a dusty seven-inch and run through an SP-1200"
        ),
        Item(
            id: "chillhop_study",
            name: "Chillhop study session",
            section: "loop",
            style: "chillhop",
            key: "F",
            tempo: 82,
            energy: "low",
            roles: ["drums", "bass", "keys", "melody"],
            bars: 8,
            vibe: ["cozy x2", "rainy"],
            request: """
                A cozy loop to study to, the kind that plays for hours without asking for attention. Soft swung \
                drums with a side-stick snare and a muffled kick, a warm bass that plays roots and a little walk \
                at the end of every four bars, and electric keys with a gentle chorus playing major seventh chords \
                in the middle register. The melody is a soft, bell-like figure that repeats a three-note motif and \
                varies it only slightly each time, so the ear can stay with it or drift away. Rain outside, tea \
                getting cold, nothing urgent.
                """,
            scale: "F major pentatonic",
            progression: ["Fmaj7", "Em7", "Dm9", "Cmaj7", "Bbmaj7", "Am7", "Gm9", "C9sus4"],
            feel: "soft swung sixteenths, side-stick backbeat",
            swing: 57,
            character: "a lo-fi study stream with a cat asleep on the desk"
        ),
        Item(
            id: "kalimba_lofi",
            name: "Kalimba lo-fi",
            section: "loop",
            style: "lofi",
            key: "Em",
            tempo: 80,
            energy: "low",
            roles: ["kalimba", "drums"],
            bars: 4,
            vibe: ["gentle", "tape hiss"],
            request: """
                A small, gentle loop built around a kalimba. The kalimba plays a plucky arpeggiated figure that \
                rocks between the tonic and the third with a little ornament at the end of each bar, slightly out \
                of tune in the way real tines are. Under it, soft lo-fi drums, a kick that is more felt than heard \
                and a brushed snare on three in a half-time feel. No bass: let the low end stay open. The whole \
                thing should sound as if it came off a tape that has been played a thousand times, a little wobbly \
                and very warm.
                """,
            scale: "E minor pentatonic",
            progression: ["Em7", "Cmaj7", "G", "D6"],
            feel: "half-time, soft swing, snare on three",
            swing: 58,
            character: "a thumb piano on a windowsill recorded on a handheld tape deck"
        ),
        Item(
            id: "jazz_waltz_ballad",
            name: "Jazz ballad",
            section: "head",
            style: "jazz ballad",
            key: "Db",
            tempo: 68,
            energy: "low",
            roles: ["piano", "bass", "sax"],
            bars: 8,
            vibe: ["tender x2", "smoky"],
            request: """
                A tender ballad at closing time. The piano plays lush voicings with added ninths and thirteenths, \
                rolled gently in the left hand, filling the gaps in the melody with small answering figures. The \
                bass walks slowly in half notes, moving to quarter notes only in the last two bars. The tenor sax \
                carries the melody with a breathy, sub-toned sound, long notes with a slow vibrato at the end, \
                and a rising phrase in bar six that reaches the high point of the piece before falling back. \
                Leave the last chord ringing and let the sax trail off on the ninth.
                """,
            scale: "Db major",
            progression: ["Dbmaj9", "Bbm9", "Ebm9", "Ab13", "Fm7", "Bb7b9", "Ebm9", "Ab7sus4"],
            feel: "rubato-leaning ballad, half-note pulse",
            swing: 60,
            character: "Ben Webster breathing into a ballad with Hank Jones at the piano"
        ),
        Item(
            id: "dusty_soul_sample",
            name: "Dusty soul sample",
            section: "hook",
            style: "soul hip hop",
            key: "Bbm",
            tempo: 88,
            energy: "medium",
            roles: ["drums", "bass", "strings"],
            bars: 8,
            vibe: ["cinematic", "soulful x2", "vinyl"],
            request: """
                A hook that sounds like a chopped seventies soul record. The strings play a dramatic descending \
                line in octaves, as if lifted from an orchestral soul ballad, with a swell at the start of every \
                second bar. The drums are heavy and simple: a booming kick, a snare with a long plate tail, and \
                hats barely audible under the strings. The bass doubles the lowest string note with a short, \
                round tone and a slide at the turnaround. Aim for the feeling of a sample found in a crate, looped \
                for a producer, slightly melancholy and very grand.
                """,
            scale: "Bb harmonic minor",
            progression: ["Bbm", "Bbm/Ab", "Gbmaj7", "F7", "Bbm", "Ebm9", "Gbmaj7", "F7sus4"],
            feel: "heavy, straight eighths with a lazy snare",
            swing: 55,
            character: "a Philly soul string section chopped on an MPC in the early 2000s"
        ),
        Item(
            id: "amapiano_log_drum",
            name: "Amapiano log drum",
            section: "groove",
            style: "amapiano",
            key: "F#m",
            tempo: 113,
            energy: "medium",
            roles: ["drums", "log drum bass", "piano", "pad"],
            bars: 8,
            vibe: ["hypnotic x2", "warm", "sunset"],
            request: """
                An amapiano groove for a rooftop at sunset. The drums play a shuffled shaker and a soft kick on \
                every beat, with a rimshot pattern that stutters in triplets against the pulse. The log drum bass \
                is the star: short, pitched and woody, playing a syncopated melodic figure that slides between the \
                root and the fifth and surprises with a long note in bar four. The piano plays jazzy minor ninth \
                chords on the offbeats with a small melodic fill at the end of every four bars. A warm pad holds \
                the harmony underneath, barely moving. Hypnotic and patient.
                """,
            scale: "F# dorian",
            progression: ["F#m9", "Bm9", "E6/9", "C#m7"],
            feel: "laid-back shuffle with triplet rimshots against a steady kick",
            swing: 56,
            character: "a Pretoria rooftop session with the log drum turned up too loud"
        ),
        Item(
            id: "samba_batucada",
            name: "Samba batucada",
            section: "chorus",
            style: "samba",
            key: "C",
            tempo: 100,
            energy: "very high",
            roles: ["percussion", "bass", "guitar", "brass", "vocals"],
            bars: 4,
            vibe: ["carnival x3", "festive"],
            request: """
                A full carnival chorus for a samba school. The percussion section plays surdo on the two with an \
                answering surdo on the one, tamborim figures on the sixteenths and agogo bells in a call pattern. \
                The bass doubles the surdo and adds a walking pickup into the next bar. The cavaquinho-style guitar \
                strums the rapid partido alto pattern, bright and trebly. The brass answers the vocal line with a \
                short harmonised riff in bar two, and the vocals sing a simple, chantable melody in unison that \
                anyone in the street could join. Festive, sweaty and loud from the first beat.
                """,
            scale: "C major",
            progression: ["C6", "A7", "Dm7", "G7"],
            feel: "driving samba sixteenths, surdo on two",
            swing: 51,
            character: "a Rio samba school rehearsal the night before the parade"
        ),
        Item(
            id: "trip_hop_rain",
            name: "Trip-hop rain",
            section: "verse",
            style: "trip hop",
            key: "Gm",
            tempo: 78,
            energy: "low",
            roles: ["drums", "bass", "rhodes", "strings"],
            bars: 8,
            vibe: ["moody x3", "noir", "smoky"],
            request: """
                A moody trip-hop verse in a wet city at night. The drums are a slow, heavy break with a snare that \
                cracks like a door slamming two rooms away and a kick that lingers. The bass is a deep, sustained \
                sub line that slides between notes in the last bar. A Rhodes through a slow phaser plays minor \
                chords with a descending inner voice, and a small string section sustains long, dissonant notes \
                above, swelling and fading without ever resolving. Keep it noir: smoke, rain on the windows, a \
                radio playing somewhere in the building.
                """,
            scale: "G aeolian",
            progression: ["Gm9", "Gm9", "Ebmaj7", "D7b9"],
            feel: "slow, heavy break, laid back and dragging",
            swing: 55,
            character: "Portishead scoring a Bristol film noir in the rain"
        ),
    ]
}

extension PromptCatalogue {
    private static let clubItems: [Item] = [
        Item(
            id: "dark_trap",
            name: "Dark trap",
            section: "hook",
            style: "trap",
            key: "F#m",
            tempo: 140,
            energy: "high",
            roles: ["drums", "bass", "pad"],
            bars: 8,
            vibe: ["dark x3", "menacing"],
            request: """
                A menacing trap hook in half time. The hi-hats roll in sixteenths and thirty-seconds with triplet \
                bursts before every second bar, the snare and clap land together on the three, and the kick is \
                glued to the 808. The 808 is long, distorted at the top and glides down a fourth at the end of \
                bars four and eight. Underneath, a dark pad holds a minor chord with a slowly opening filter, cold \
                and wide, with a high bell-like note that appears only in the last two bars. Leave a hole in bar \
                seven for a vocal ad-lib; everything drops out except the pad.
                """,
            scale: "F# harmonic minor",
            progression: ["F#m", "F#m", "Dmaj7", "C#7"],
            feel: "half-time with rolling hats and triplet bursts",
            swing: 50,
            character: "Metro Boomin producing a horror film soundtrack"
        ),
        Item(
            id: "deep_house",
            name: "Deep house",
            section: "groove",
            style: "deep house",
            key: "Fm",
            tempo: 122,
            energy: "medium",
            roles: ["drums", "bass", "keys"],
            bars: 8,
            vibe: ["late night", "hypnotic x2"],
            request: """
                A deep house groove for the third hour of a late-night set. Four-on-the-floor kick, a soft clap on \
                two and four, open hats on the offbeats and a shuffled shaker that gives the whole thing its swing. \
                The bass is rubbery and round, playing a short syncopated figure that leaves the one to the kick \
                and bends up into bar five. The keys are warm electric-piano stabs on the offbeats, minor ninth \
                chords with a long release, filtered a little darker in the first four bars and opening in the \
                last four. Hypnotic, patient and never loud.
                """,
            scale: "F dorian",
            progression: ["Fm9", "Fm9", "Bbm9", "C7sus4"],
            feel: "four-on-the-floor with a shuffled shaker",
            swing: 56,
            character: "a Chicago basement at four in the morning with Larry Heard on the decks"
        ),
        Item(
            id: "warehouse_techno",
            name: "Warehouse techno",
            section: "drop",
            style: "techno",
            key: "Am",
            tempo: 128,
            energy: "high",
            roles: ["drums", "bass", "arp"],
            bars: 8,
            vibe: ["driving x3", "industrial"],
            request: """
                A relentless techno drop for a warehouse with concrete walls. The kick is a distorted thump on \
                every beat with a rumbling tail, the hats are metallic sixteenths with an open hat on every offbeat, \
                and a clap with heavy reverb lands on two and four from bar five. The bass rolls in sixteenths \
                between the kicks, one note, with the filter modulated so it breathes. The arpeggio is a hypnotic \
                three-note figure that cycles against the four-four, shifting accent every bar, with a delay that \
                throws it around the room. No melody, no release: just pressure.
                """,
            scale: "A phrygian",
            progression: ["Am", "Am", "Am", "Bb/A"],
            feel: "straight, mechanical sixteenths, no swing",
            swing: 50,
            character: "a Berlin warehouse at six in the morning, strobes and fog"
        ),
        Item(
            id: "liquid_dnb",
            name: "Liquid drum and bass",
            section: "drop",
            style: "liquid drum and bass",
            key: "Dm",
            tempo: 174,
            energy: "high",
            roles: ["drums", "bass", "pad"],
            bars: 8,
            vibe: ["rolling x2", "airy"],
            request: """
                A rolling liquid drum and bass drop. The drums play a crisp two-step, kick on the one and the \
                and-of-three, snare on two and four, with ghosted snares and a shuffling hat on top that keeps the \
                momentum. The bass is a long, clean sub that plays half-note roots with one melodic fill at the end \
                of bar four, plus a soft reese layer that only appears in the second half. A floating pad plays \
                wide minor ninth chords with a slow attack, bright on top, blurring the chord changes. It should \
                feel fast underfoot and slow overhead.
                """,
            scale: "D dorian",
            progression: ["Dm9", "Bbmaj7", "Gm9", "A7sus4"],
            feel: "fast two-step break with a half-speed harmonic rhythm",
            swing: 52,
            character: "a Hospital Records summer anthem with the windows down"
        ),
        Item(
            id: "synthwave_night_drive",
            name: "Synthwave night drive",
            section: "chorus",
            style: "synthwave",
            key: "Am",
            tempo: 108,
            energy: "high",
            roles: ["drums", "bass", "arp", "lead", "pad"],
            bars: 8,
            vibe: ["neon x3", "nostalgic"],
            request: """
                A chorus for driving a coastal highway at night under neon. The drums are big and gated, a snare \
                that explodes and stops dead, a punchy kick and a steady eighth-note hat. The bass pulses in \
                octave eighths on the root. The arpeggio runs in sixteenths through the chord tones with a bright, \
                glassy tone and a ping-pong delay. The lead sings a soaring melody with portamento, reaching the \
                high point in bar six before a long held note. The pad fills the space with a wide, detuned chord \
                that swells in the last bar. Nostalgic for a decade none of us really lived in.
                """,
            scale: "A aeolian",
            progression: ["Am", "F", "C", "G", "Am", "F", "C", "E"],
            feel: "straight eighths, gated snare on two and four",
            swing: 50,
            character: "a Miami night drive scored on a Juno-106 and a LinnDrum"
        ),
        Item(
            id: "uk_drill",
            name: "UK drill",
            section: "verse",
            style: "uk drill",
            key: "C#m",
            tempo: 142,
            energy: "high",
            roles: ["drums", "bass", "bells"],
            bars: 8,
            vibe: ["cold x2", "sliding"],
            request: """
                A cold UK drill verse. The hats are skippy and syncopated, with triplet rolls and gaps, the snare \
                lands late on the fourth beat of every bar and the kick shuffles around it in the drill pattern. \
                The 808 slides constantly, gliding up a minor third and back, with long notes that bend into the \
                next bar. The bells play an eerie, repeating four-note melody in the high register, slightly \
                detuned, like a music box in an empty stairwell. Keep it sparse and tense, with the menace coming \
                from the slides and the silence between them.
                """,
            scale: "C# harmonic minor",
            progression: ["C#m", "C#m", "Amaj7", "G#7"],
            feel: "skippy drill hats, late snare on the fourth beat",
            swing: 51,
            character: "a South London estate at night, breath visible in the cold"
        ),
        Item(
            id: "disco_house",
            name: "Disco house",
            section: "drop",
            style: "disco house",
            key: "Gm",
            tempo: 124,
            energy: "high",
            roles: ["drums", "bass", "keys", "strings"],
            bars: 8,
            vibe: ["funky x2", "glitter"],
            request: """
                A filtered disco house drop with glitter on the ceiling. Four-on-the-floor kick, open hats on every \
                offbeat, a clap on two and four and a tambourine shaking sixteenths. The bass plays bouncing octaves \
                in eighths with a chromatic run into bar five. The keys stab short minor seventh chords on the \
                offbeats, filtered as if through a closed door that slowly opens over eight bars. The strings play \
                a sweeping upward run into bar one and long swells on bars five to eight. Funky, joyful, a little \
                cheeky.
                """,
            scale: "G dorian",
            progression: ["Gm7", "Gm7", "Cm7", "D7sus4"],
            feel: "four-on-the-floor, bouncing octave bass",
            swing: 53,
            character: "a Daft Punk filter sweep over a Salsoul string section"
        ),
        Item(
            id: "garage_two_step",
            name: "Garage two-step",
            section: "full",
            style: "uk garage",
            key: "Eb",
            tempo: 132,
            energy: "medium",
            roles: ["drums", "bass", "organ"],
            bars: 8,
            vibe: ["shuffling x2", "sunny", "late summer"],
            request: """
                A short garage track in two parts: an intro of shuffling drums and organ, then a drop where the \
                bass comes in. The drums are classic two-step, a skipping kick that avoids the downbeat of the \
                second bar, crisp shuffled hats and a rimshot snare with a flam. The organ plays short chord stabs \
                with a bright, breathy tone, pitched up, with a rhythmic figure that repeats across both sections. \
                In the drop the bass enters with a warm, wobbling sub line that bounces between the root and the \
                octave. Sunny, light on its feet and a little nostalgic.
                """,
            scale: "Eb major",
            progression: ["Ebmaj9", "Cm9", "Abmaj9", "Bb7sus4"],
            feel: "two-step shuffle with a skipping kick",
            swing: 58,
            character: "a late-summer London pirate radio session",
            form: ["intro", "drop"]
        ),
        Item(
            id: "trance_uplift",
            name: "Trance uplift",
            section: "full",
            style: "trance",
            key: "B",
            tempo: 138,
            energy: "very high",
            roles: ["drums", "bass", "arp", "lead"],
            bars: 4,
            vibe: ["euphoric x3", "hands in the air"],
            request: """
                A compact trance arc in three parts: a breakdown, a build and a drop. In the breakdown the kick \
                stops, the arp plays sparse sixteenths with a long delay and the lead states the melody slowly over \
                a held bass note. In the build a snare roll doubles in speed every bar, the arp opens its filter \
                and the bass pulses in offbeat eighths. In the drop everything lands together: a driving kick, \
                rolling offbeat bass, a full-bandwidth arp and the lead playing the melody an octave up with a \
                supersaw tone. Euphoric, not subtle.
                """,
            scale: "B major",
            progression: ["G#m", "E", "B", "F#"],
            feel: "driving four-on-the-floor with an offbeat rolling bass",
            swing: 50,
            character: "a main stage at sunrise with the crowd singing the lead",
            form: ["breakdown", "build", "drop"]
        ),
        Item(
            id: "acid_techno",
            name: "Acid techno",
            section: "groove",
            style: "acid techno",
            key: "Em",
            tempo: 132,
            energy: "high",
            roles: ["drums", "acid bass"],
            bars: 8,
            vibe: ["squelchy x3", "raw"],
            request: """
                A raw acid techno groove. The drums are a dry drum machine, a punchy kick on every beat, a clap on \
                two and four, and a closed hat that ticks sixteenths with accents that move every bar. The acid \
                bass is the whole story: a sixteenth-note line with slides and accents, squelching as the filter \
                cutoff and resonance are pushed up over the eight bars, jumping an octave on the accented notes and \
                leaving a few steps silent. It should feel like someone twisting the knobs live, just on the edge \
                of losing control.
                """,
            scale: "E phrygian",
            progression: ["Em", "Em", "F/E", "Em"],
            feel: "dry machine sixteenths, accents that move every bar",
            swing: 51,
            character: "a TB-303 and a TR-909 in a Manchester club in 1989"
        ),
        Item(
            id: "phonk_drift",
            name: "Phonk drift",
            section: "drop",
            style: "drift phonk",
            key: "G#m",
            tempo: 130,
            energy: "very high",
            roles: ["drums", "808", "cowbell"],
            bars: 8,
            vibe: ["aggressive x2", "nocturnal", "distorted"],
            request: """
                An aggressive phonk drop for a night drift video. The drums are loud and saturated, a clipped kick, \
                a snare on three in half time and hats in bursts of triplets. The 808 is distorted almost to a \
                square wave, holding long notes and sliding down an octave at the end of bars four and eight. The \
                cowbell plays the signature melody: a pitched, repeating figure in the minor key with a fast \
                rhythmic stutter in the second half. Everything is overdriven; the mix should sound as if it is \
                coming out of a car that is too fast for the road.
                """,
            scale: "G# phrygian",
            progression: ["G#m", "G#m", "Emaj7", "D#7"],
            feel: "half-time with triplet hat bursts and a hard clipped kick",
            swing: 50,
            character: "a Memphis tape sample run through a car amplifier at full volume"
        ),
        Item(
            id: "jungle_amen",
            name: "Jungle amen",
            section: "drop",
            style: "jungle",
            key: "Fm",
            tempo: 168,
            energy: "very high",
            roles: ["drums", "sub bass", "pad", "vocal chops"],
            bars: 8,
            vibe: ["breakneck x2", "ragga", "dark"],
            request: """
                A jungle drop built on chopped breaks. The drums are an edited breakbeat with snare rolls, ghosted \
                hits and sudden double-time fills, rearranged every two bars so it never repeats exactly. The sub \
                bass plays long, deep notes in half time, the pitch bending down at the end of each phrase like \
                a dub siren. A dark pad holds a minor chord with a slow tremolo, and vocal chops punctuate the \
                offbeats with short, pitched syllables. Keep the tension between the fast drums and the slow, heavy \
                bass.
                """,
            scale: "F aeolian",
            progression: ["Fm", "Fm", "Dbmaj7", "Eb"],
            feel: "chopped breakbeat over a half-time sub",
            swing: 53,
            character: "a 1994 pirate radio rewind with the MC shouting over the intro"
        ),
        Item(
            id: "minimal_techno_loop",
            name: "Minimal techno loop",
            section: "loop",
            style: "minimal techno",
            key: "Dm",
            tempo: 124,
            energy: "medium",
            roles: ["drums", "bass", "perc"],
            bars: 8,
            vibe: ["hypnotic x3", "dry", "microscopic"],
            request: """
                A minimal techno loop where everything happens in the details. The kick is soft and round on every \
                beat, the hats are short clicks with an offbeat pattern that shifts by one sixteenth each bar, and \
                a rimshot answers itself with a dotted-eighth delay. The bass plays a two-note figure under the \
                kick, almost subliminal, with a filter that moves by tiny amounts. The percussion adds small wooden \
                clicks and shaker ticks in odd groupings of three and five that phase against the bar. Dry, \
                precise and hypnotic; no chord changes at all.
                """,
            scale: "D minor, two notes only",
            progression: ["Dm", "Dm", "Dm", "Dm"],
            feel: "dry sixteenths with shifting accents and phasing percussion",
            swing: 54,
            character: "a Cologne label sampler from the early 2000s"
        ),
    ]
}

extension PromptCatalogue {
    private static let bandItems: [Item] = [
        Item(
            id: "indie_rock_drive",
            name: "Indie rock drive",
            section: "chorus",
            style: "indie rock",
            key: "E",
            tempo: 128,
            energy: "high",
            roles: ["drums", "bass", "guitar"],
            bars: 8,
            vibe: ["anthemic", "raw"],
            request: """
                A driving indie rock chorus that a crowd could jump to. The drums play a straight rock beat with \
                the hi-hat half open, a floor tom on every beat in the last two bars and a crash on every chord \
                change. The bass pumps eighth notes on the root, locked to the kick, and climbs into the last chord. \
                The guitar plays driving eighth-note power chords with a ringing open string on top, a little \
                ragged, and a short single-note hook between the chords in bars four and eight. Raw, anthemic and \
                slightly out of breath.
                """,
            scale: "E major",
            progression: ["E", "B", "C#m", "A", "E", "B", "A", "B"],
            feel: "straight driving eighths, half-open hats",
            swing: 50,
            character: "an indie band in a sweaty club with the amps turned up past ten"
        ),
        Item(
            id: "pop_anthem",
            name: "Pop anthem",
            section: "chorus",
            style: "pop",
            key: "C",
            tempo: 118,
            energy: "high",
            roles: ["drums", "bass", "piano", "lead", "pad"],
            bars: 8,
            vibe: ["uplifting x3", "bright"],
            request: """
                A big singalong pop chorus. The drums hit hard: a four-on-the-floor kick under a clap and snare on \
                two and four, sixteenth-note hats and a tom fill into bar five. The bass plays syncopated eighths \
                that push into each chord. The piano drives the harmony with pounding quarter-note chords in the \
                middle register. The lead sings the hook, a simple rising melody that jumps a sixth on the title \
                line in bar five and lands on the third. A lush pad widens everything in the second half. It \
                should feel like the moment in the set when every phone goes up.
                """,
            scale: "C major",
            progression: ["F", "G", "Am", "C", "F", "G", "Em", "Am"],
            feel: "straight sixteenths with a pushed, syncopated bass",
            swing: 50,
            character: "a stadium pop chorus with the confetti cannons ready"
        ),
        Item(
            id: "punk_rush",
            name: "Punk rush",
            section: "verse",
            style: "punk rock",
            key: "D",
            tempo: 170,
            energy: "very high",
            roles: ["drums", "bass", "guitar"],
            bars: 4,
            vibe: ["loud x3", "fast"],
            request: """
                A breakneck punk verse that barely holds together. The drums play a fast two-beat, kick on every \
                downbeat and snare on every upbeat, with a crash on the first beat of each bar and a snare roll at \
                the end of bar four. The bass downpicks eighth notes on the root without a single rest. The guitar \
                plays distorted power chords in eighths, three chords and a hammered palm-muted run into the next \
                bar. Loud, fast and snotty; if it sounds too tidy it is wrong.
                """,
            scale: "D major",
            progression: ["D", "G", "A", "D"],
            feel: "fast two-beat, downpicked eighths",
            swing: 50,
            character: "a basement show in 1977 with a borrowed drum kit"
        ),
        Item(
            id: "melody_sketch",
            name: "Melody sketch",
            section: "hook",
            style: "pop",
            key: "G",
            tempo: 96,
            energy: "medium",
            roles: ["melody"],
            bars: 4,
            vibe: ["catchy x2"],
            request: """
                A four-bar hook melody on its own, something you could whistle after hearing it once. It starts on \
                the fifth, steps down to the third, leaps up a sixth in bar two and then falls back by step, \
                repeating the opening rhythm in bar three with a different ending. The last bar resolves home to \
                the tonic on a long note. Use a simple, memorable rhythm with one syncopation per bar, stay within \
                an octave and a half, and make the shape so clear that it still works without any chords under it.
                """,
            scale: "G major",
            progression: ["G", "Em", "C", "D"],
            feel: "simple syncopated eighths, one push per bar",
            swing: 50,
            character: "a songwriter humming into a phone voice memo"
        ),
        Item(
            id: "pop_song_form",
            name: "Pop song form",
            section: "full",
            style: "pop",
            key: "F",
            tempo: 100,
            energy: "medium",
            roles: ["drums", "bass", "piano"],
            bars: 4,
            vibe: ["radio-ready"],
            request: """
                A short song in three parts: a quiet intro, a verse, then a lifted chorus. In the intro the piano \
                plays the chords alone in whole notes with a small melodic pickup at the end. In the verse the \
                drums come in with a light kick and a side-stick, the bass plays roots in half notes, and the \
                piano moves to gentle eighth-note arpeggios. In the chorus the drums open up to a full backbeat \
                with a crash on the one, the bass plays driving eighths and the piano pounds quarter-note chords an \
                octave higher. Radio-ready and compact.
                """,
            scale: "F major",
            progression: ["F", "C/E", "Dm7", "Bbmaj7"],
            feel: "straight eighths that grow from side-stick to full backbeat",
            swing: 50,
            character: "a three-minute radio single with the chorus arriving early",
            form: ["intro", "verse", "chorus"]
        ),
        Item(
            id: "grunge_slowburn",
            name: "Grunge slow burn",
            section: "verse",
            style: "grunge",
            key: "C#m",
            tempo: 92,
            energy: "medium",
            roles: ["drums", "bass", "guitar", "vocals"],
            bars: 8,
            vibe: ["brooding x2", "heavy", "wet"],
            request: """
                A brooding grunge verse that is quiet only because it is waiting to be loud. The drums play a heavy, \
                slow backbeat with a loose hi-hat and a floor tom accent at the end of every four bars. The bass \
                plays long, overdriven notes on the root, drifting a half step down in bar seven. The guitar plays \
                a clean, chorused arpeggio with a dissonant added second, slightly out of tune. The vocals sing a \
                low, flat melody, almost spoken, that rises a fourth at the end of bar eight as if about to shout. \
                Wet, grey and tense.
                """,
            scale: "C# aeolian with a flat second",
            progression: ["C#m", "C#m", "Amaj7", "G#", "C#m", "C#m", "D", "G#"],
            feel: "slow, heavy backbeat with a loose hat",
            swing: 51,
            character: "a Seattle rehearsal room in the rain, flannel drying on the radiator"
        ),
        Item(
            id: "shoegaze_wall",
            name: "Shoegaze wall",
            section: "chorus",
            style: "shoegaze",
            key: "A",
            tempo: 112,
            energy: "high",
            roles: ["drums", "bass", "guitar", "synth pad"],
            bars: 8,
            vibe: ["dreamy x3", "blurred", "loud"],
            request: """
                A shoegaze chorus that is a wall of sound. The drums are buried in reverb, a steady eighth-note beat \
                with the crash ringing constantly. The bass plays simple roots that anchor everything. The guitar \
                plays huge, slowly bending chords through fuzz and reverse reverb, the pitch wobbling with the \
                tremolo arm, so that the chords blur into one another. The synth pad doubles the top of the \
                guitar with a bright, airy layer. There is a melody somewhere inside the noise; the listener should \
                have to lean in to find it.
                """,
            scale: "A lydian",
            progression: ["Amaj7", "D#m7b5", "E6", "Bm11"],
            feel: "steady eighths drowned in reverb",
            swing: 50,
            character: "My Bloody Valentine at ear-bleeding volume with the lights off"
        ),
        Item(
            id: "blues_shuffle",
            name: "Twelve-bar blues shuffle",
            section: "verse",
            style: "blues",
            key: "E",
            tempo: 96,
            energy: "medium",
            roles: ["drums", "bass", "guitar", "harmonica"],
            bars: 12,
            vibe: ["greasy x2", "juke joint"],
            request: """
                A twelve-bar blues shuffle for a juke joint on a Friday. The drums play a triplet shuffle on the \
                snare and hat, with a kick on one and three and a fill into the turnaround. The bass walks the \
                classic shuffle pattern, root, fifth, sixth and flat seventh, moving with the changes. The guitar \
                plays the boogie figure in the low register, then a stinging single-note answer after each vocal \
                line would end. The harmonica wails long bent notes on the fourth bar of each line and a fast \
                triplet lick on the turnaround. Greasy and relaxed.
                """,
            scale: "E blues",
            progression: [
                "E7", "A7", "E7", "E7", "A7", "A7", "E7", "E7", "B7", "A7", "E7", "B7",
            ],
            feel: "triplet shuffle, heavy on the backbeat",
            swing: 66,
            character: "a Chicago juke joint with a Marshall amp and a bullet microphone"
        ),
        Item(
            id: "country_train",
            name: "Country train beat",
            section: "verse",
            style: "country",
            key: "G",
            tempo: 116,
            energy: "medium",
            roles: ["drums", "bass", "acoustic guitar", "pedal steel"],
            bars: 8,
            vibe: ["rolling", "dusty x2", "open road"],
            request: """
                A country verse with a train beat under it. The drummer plays brushes on the snare in a constant \
                sixteenth-note train pattern with the accent on two and four and a soft kick on one and three. The \
                bass plays root-fifth on every beat, walking up to the next chord. The acoustic guitar strums \
                boom-chick with a bass-note run between chords. The pedal steel swells into each chord, sliding up \
                to the third and hanging there, crying a little at the end of bar eight. Dusty, rolling and kind.
                """,
            scale: "G major pentatonic",
            progression: ["G", "G", "C", "G", "G", "D", "C", "G"],
            feel: "brushed train beat, boom-chick strum",
            swing: 52,
            character: "a Bakersfield honky-tonk band on a long bus ride"
        ),
        Item(
            id: "folk_waltz",
            name: "Folk waltz",
            section: "verse",
            style: "folk",
            key: "D",
            tempo: 92,
            energy: "low",
            roles: ["acoustic guitar", "fiddle", "upright bass"],
            bars: 8,
            vibe: ["tender", "rustic x2", "candlelit"],
            request: """
                A gentle folk waltz in three-four feel, written in four-four bars for the tool but played so the \
                lilt is felt. The acoustic guitar fingerpicks a bass note on the first beat and two chords after \
                it, with a hammered-on ornament at each chord change. The fiddle plays the melody in the middle \
                register, long bow strokes with a slow slide into the highest note in bar six. The upright bass \
                plays a single note per bar on the root, plucked softly. Rustic, candlelit and a little sad.
                """,
            scale: "D mixolydian",
            progression: ["D", "G", "D", "A", "D", "G", "A7", "D"],
            feel: "lilting three against four, fingerpicked",
            swing: 55,
            character: "a kitchen session in a stone cottage with the fire lit"
        ),
        Item(
            id: "synth_pop_chorus",
            name: "Synth-pop chorus",
            section: "chorus",
            style: "synth pop",
            key: "Bb",
            tempo: 120,
            energy: "high",
            roles: ["drums", "synth bass", "lead synth"],
            bars: 8,
            vibe: ["shiny x2", "bittersweet"],
            request: """
                A bittersweet synth-pop chorus. The drum machine plays a straight beat with a snappy snare, a \
                handclap layered on the backbeat and sixteenth-note hats with accents on the offbeats. The synth \
                bass pulses eighths with a short, plucky envelope, jumping to the octave on the last eighth of each \
                bar. The lead synth plays a bright, hooky counter-melody with a short delay, rising through the \
                chord tones and holding the ninth over the last chord. Shiny on the surface and sad underneath.
                """,
            scale: "Bb major",
            progression: ["Gm", "Eb", "Bb", "F", "Gm", "Eb", "Cm7", "F"],
            feel: "straight sixteenths, pulsing eighth bass",
            swing: 50,
            character: "a Sheffield synth band in 1983 with a new drum machine"
        ),
        Item(
            id: "metal_gallop",
            name: "Metal gallop",
            section: "riff",
            style: "heavy metal",
            key: "Em",
            tempo: 160,
            energy: "very high",
            roles: ["drums", "bass", "guitar"],
            bars: 4,
            vibe: ["crushing x2", "galloping", "epic"],
            request: """
                A galloping heavy metal riff. The drums play the gallop on double kick, eighth-sixteenth-sixteenth, \
                with a snare on two and four and a china crash at the end of bar four. The bass doubles the guitar \
                riff exactly, picked hard. The guitar plays a palm-muted gallop on the low E string with power \
                chord hits on the flat second and the flat fifth, then a harmonised run up the scale in bar four. \
                Tight, relentless and epic; every hit lands exactly together.
                """,
            scale: "E phrygian",
            progression: ["E5", "F5", "E5", "G5"],
            feel: "galloping eighth-sixteenth-sixteenth, double kick",
            swing: 50,
            character: "a British heavy metal band at a festival in 1982"
        ),
    ]
}

extension PromptCatalogue {
    private static let spaceItems: [Item] = [
        Item(
            id: "ambient_drift",
            name: "Ambient drift",
            section: "intro",
            style: "ambient",
            key: "D",
            tempo: 70,
            energy: "low",
            roles: ["pad"],
            bars: 8,
            vibe: ["spacious x3", "calm"],
            request: """
                Slow-moving pad chords that breathe and overlap, with nothing else. Each chord fades in over two \
                beats and lingers past the next one, so that two chords are always sounding at once and the \
                harmony never quite settles. The voicings are wide, with the root low and a ninth and a sixth \
                high above, and the top voice moves by a single step at each change. No rhythm to speak of: the \
                pulse is the slow rise and fall of the filter. Spacious and calm, like morning light across a \
                wall.
                """,
            scale: "D lydian",
            progression: ["Dmaj9", "Em9/D", "Bm11", "Gmaj7#11"],
            feel: "free, slow swells, no audible grid",
            swing: 50,
            character: "Brian Eno's airport music playing in an empty terminal"
        ),
        Item(
            id: "cinematic_rise",
            name: "Cinematic rise",
            section: "build",
            style: "cinematic orchestral",
            key: "Cm",
            tempo: 96,
            energy: "rising",
            roles: ["strings", "brass", "drums"],
            bars: 8,
            vibe: ["epic x2", "tense"],
            request: """
                A tense cinematic build that grows for eight bars. The strings start with a low ostinato in \
                sixteenths, celli and basses, then the violins enter in bar three with long notes climbing by step. \
                The brass calls a three-note motif in bar four, answered a fourth higher in bar six, and holds a \
                huge chord in bar eight. The drums are big orchestral toms and a bass drum, quiet hits at first, \
                then rolls that grow into a pounding eighth-note pattern in the last two bars. Tension should rise \
                all the way to the final beat and then stop.
                """,
            scale: "C harmonic minor",
            progression: ["Cm", "Cm", "Ab", "Ab", "Fm", "Fm", "G", "G7"],
            feel: "driving sixteenth ostinato with a growing tom pulse",
            swing: 50,
            character: "a Hans Zimmer trailer cue with the orchestra recorded at Abbey Road"
        ),
        Item(
            id: "winter_strings",
            name: "Winter strings",
            section: "intro",
            style: "neoclassical",
            key: "Bm",
            tempo: 60,
            energy: "very low",
            roles: ["cello", "piano", "strings"],
            bars: 8,
            vibe: ["wintry x2", "fragile", "still"],
            request: """
                A fragile neoclassical opening for a winter morning. The piano plays soft broken chords in the \
                middle register, with the sustain pedal held and the hammers barely touching the strings. The cello \
                enters in bar three with a slow, singing melody, bowed close to the fingerboard so the tone is \
                almost a whisper, climbing to a held F sharp in bar seven. A small string section sustains the \
                harmony underneath, muted, swelling only in the last two bars. Still, cold and very intimate, with \
                room for the sound of the instruments themselves.
                """,
            scale: "B aeolian",
            progression: ["Bm", "G", "D", "A", "Bm", "Em7", "Gmaj7", "F#sus4"],
            feel: "rubato, felt rather than counted",
            swing: 50,
            character: "a felt piano and a cello in a cold wooden hall before dawn"
        ),
        Item(
            id: "piano_reverie",
            name: "Piano reverie",
            section: "verse",
            style: "solo piano",
            key: "Ab",
            tempo: 72,
            energy: "low",
            roles: ["piano"],
            bars: 8,
            vibe: ["reflective x2", "warm", "nocturne"],
            request: """
                A solo piano reverie in the manner of a nocturne. The left hand plays a wide, rolling arpeggio that \
                spans more than an octave, the pedal blurring it into a single wash of harmony. The right hand sings \
                a simple melody in the upper-middle register with small ornaments, a turn in bar two and a rising \
                run into bar five, where the melody reaches its high point and then descends slowly. The dynamics \
                breathe with each phrase. Reflective and warm, as if played for one person in a quiet room.
                """,
            scale: "Ab major",
            progression: ["Abmaj7", "Fm9", "Dbmaj7", "Eb7sus4", "Cm7", "Fm7", "Bbm9", "Eb7"],
            feel: "flowing, rubato eighth-note arpeggios",
            swing: 50,
            character: "a Chopin nocturne played on an upright piano in a small flat"
        ),
        Item(
            id: "epic_trailer_build",
            name: "Epic trailer build",
            section: "full",
            style: "epic score",
            key: "Dm",
            tempo: 90,
            energy: "rising",
            roles: ["strings", "choir", "brass", "percussion", "piano"],
            bars: 4,
            vibe: ["epic x3", "heroic", "massive"],
            request: """
                A trailer cue in three parts: calm, build and climax. In the calm the piano plays a single note \
                ostinato and the strings hold a soft chord. In the build the percussion enters with taiko hits on \
                every beat, the strings switch to driving sixteenths, the choir starts a low, wordless chant and \
                the brass swells on each chord. In the climax everything is at full force: the brass plays the \
                heroic theme in octaves, the choir sings open vowels high above, the percussion pounds eighths and \
                the strings saw away in tremolo. Massive, heroic and cinematic.
                """,
            scale: "D aeolian",
            progression: ["Dm", "Bb", "F", "C"],
            feel: "pulse growing from whole notes to pounding eighths",
            swing: 50,
            character: "a blockbuster trailer with a hundred-piece orchestra and a stadium choir",
            form: ["calm", "build", "climax"]
        ),
        Item(
            id: "space_drone",
            name: "Deep space drone",
            section: "texture",
            style: "dark ambient",
            key: "C#m",
            tempo: 64,
            energy: "very low",
            roles: ["drone", "texture"],
            bars: 8,
            vibe: ["vast x3", "cold", "weightless"],
            request: """
                A dark ambient texture for drifting through deep space. The drone holds a low C sharp with a fifth \
                above, slowly beating against itself, the filter opening so gradually that nobody notices until it \
                is bright. The texture layer adds metallic shimmer, high harmonics that appear and vanish, a few \
                soft clusters that hang in the stereo field and then dissolve. Nothing should sound like an \
                instrument being played. Vast, cold and weightless, the sound of a ship with its engines off.
                """,
            scale: "C# aeolian, drone on the tonic",
            progression: ["C#m(add9)", "C#m(add9)", "Amaj7#11", "C#m(add9)"],
            feel: "no pulse, slow evolving swells",
            swing: 50,
            character: "a research vessel drifting past Saturn with its lights dimmed"
        ),
        Item(
            id: "music_box_lullaby",
            name: "Music box lullaby",
            section: "verse",
            style: "lullaby",
            key: "F",
            tempo: 66,
            energy: "very low",
            roles: ["music box", "soft pad"],
            bars: 8,
            vibe: ["tender x3", "innocent", "sleepy"],
            request: """
                A lullaby for a music box. The music box plays a simple melody in the high register, every note \
                chiming and slowly decaying, with a gentle rocking rhythm and a little ritardando in the last bar \
                as if the spring were winding down. A soft pad underneath holds warm major chords, so quiet it is \
                almost only a feeling of warmth. The melody repeats its first phrase in bars five to eight with a \
                sweeter ending on the third. Tender, innocent and sleepy.
                """,
            scale: "F major",
            progression: ["F", "Bb/F", "C/E", "F", "Dm", "Bb", "C7", "F"],
            feel: "gentle rocking lilt, slowing at the end",
            swing: 54,
            character: "a wind-up music box on a nursery shelf at bedtime"
        ),
        Item(
            id: "video_game_overworld",
            name: "Video game overworld",
            section: "loop",
            style: "chiptune adventure",
            key: "C",
            tempo: 150,
            energy: "high",
            roles: ["drums", "bass", "lead", "arp"],
            bars: 8,
            vibe: ["adventurous x2", "bright", "8-bit"],
            request: """
                An overworld theme for a retro adventure game that loops forever. The drums are noise-channel hits, \
                a kick on one and three and a snappy snare on two and four with a quick fill in bar eight. The bass \
                bounces in octaves on a triangle-like tone. The lead plays a heroic, catchy melody with square-wave \
                bite, leaping up a fifth at the start and climbing sequentially in bars five to seven. The arp \
                spins fast chord arpeggios in the background like a pulse channel. Bright, adventurous and built \
                to loop seamlessly.
                """,
            scale: "C major with a borrowed flat seven",
            progression: ["C", "Bb", "F", "C", "Am", "F", "G", "G7"],
            feel: "driving straight eighths with bouncing octave bass",
            swing: 50,
            character: "a sixteen-bit adventure game on a Saturday morning"
        ),
    ]
}
