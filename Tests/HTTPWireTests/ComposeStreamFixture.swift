/// The example compose stream of service-contracts.md §3.7, one frame per line without the blank separator
/// lines (elided frames left out), exactly as the Maestro stream endpoint frames it.
enum ComposeStreamFixture {
    static let frameLines: [String] = #"""
        data: {"type":"state","seq":0,"protocolVersion":"0.1.4","state":"composing","intent":"compose.generate_music","confidence":0.99,"traceId":"5e1c9a40-7d2b-4f63-a8e5-90b1c2d3e4f5","executionMode":"variation"}
        data: {"type":"status","seq":1,"protocolVersion":"0.1.4","message":"Preparing composition..."}
        data: {"type":"plan","seq":2,"protocolVersion":"0.1.4","planId":"9a8b7c6d-0000-4111-8222-333344445555","title":"Composing Boom Bap","steps":[{"stepId":"1","label":"set tempo to 90 BPM","status":"pending","toolName":"stori_set_tempo","phase":"setup"},{"stepId":"2","label":"set key signature to Am","status":"pending","toolName":"stori_set_key","phase":"setup"},{"stepId":"3","label":"Create Bass track","status":"pending","toolName":"stori_add_midi_track","parallelGroup":"instruments","phase":"setup"},{"stepId":"4","label":"Add content to Bass","status":"pending","toolName":"stori_add_notes","parallelGroup":"instruments","phase":"composition"},{"stepId":"5","label":"Add effects and routing","status":"pending","toolName":"stori_add_insert_effect","parallelGroup":"instruments","phase":"soundDesign"}]}
        data: {"type":"planStepUpdate","seq":3,"protocolVersion":"0.1.4","stepId":"1","status":"active","phase":"setup"}
        data: {"type":"toolStart","seq":4,"protocolVersion":"0.1.4","name":"stori_set_tempo","label":"set tempo to 90 BPM","phase":"setup"}
        data: {"type":"toolCall","seq":5,"protocolVersion":"0.1.4","id":"d0e1f2a3-1111-4222-8333-444455556666","name":"stori_set_tempo","params":{"tempo":90},"label":"set tempo to 90 BPM","phase":"setup"}
        data: {"type":"planStepUpdate","seq":6,"protocolVersion":"0.1.4","stepId":"1","status":"completed","phase":"setup","result":"set tempo to 90 BPM"}
        data: {"type":"preflight","seq":11,"protocolVersion":"0.1.4","stepId":"3","agentId":"bass","agentRole":"bass","label":"Create Bass track","toolName":"stori_add_midi_track","parallelGroup":"instruments","confidence":0.9,"trackColor":"#E85D75"}
        data: {"type":"toolCall","seq":17,"protocolVersion":"0.1.4","id":"toolu_01AbCd","name":"stori_add_midi_track","params":{"name":"Bass","gmProgram":33,"trackId":"3f2e1d0c-aaaa-4bbb-8ccc-dddd00001111","color":"#E85D75","icon":"guitars"},"label":"Create Bass track","phase":"setup","agentId":"bass"}
        data: {"type":"toolCall","seq":23,"protocolVersion":"0.1.4","id":"toolu_01EfGh","name":"stori_add_midi_region","params":{"trackId":"3f2e1d0c-aaaa-4bbb-8ccc-dddd00001111","startBeat":0,"durationBeats":16,"name":"Bass","regionId":"7c6b5a49-eeee-4fff-8000-111122223333"},"label":"Creating region: Bass","phase":"setup","agentId":"bass","sectionName":"full"}
        data: {"type":"toolStart","seq":24,"protocolVersion":"0.1.4","name":"stori_generate_midi","label":"Generating bass via Orpheus","phase":"composition","agentId":"bass","sectionName":"full"}
        data: {"type":"generatorStart","seq":25,"protocolVersion":"0.1.4","role":"bass","agentId":"bass","style":"boom bap","bars":4,"startBeat":0.0,"label":"Bass","sectionName":"full"}
        : heartbeat
        data: {"type":"generatorComplete","seq":26,"protocolVersion":"0.1.4","role":"bass","agentId":"bass","noteCount":3,"durationMs":41873,"sectionName":"full"}
        data: {"type":"toolCall","seq":27,"protocolVersion":"0.1.4","id":"toolu_01IjKl","name":"stori_add_notes","params":{"trackId":"3f2e1d0c-aaaa-4bbb-8ccc-dddd00001111","regionId":"7c6b5a49-eeee-4fff-8000-111122223333","notes":[{"pitch":45,"velocity":96,"startBeat":0.0,"durationBeats":0.75},{"pitch":45,"velocity":70,"startBeat":1.5,"durationBeats":0.25},{"pitch":52,"velocity":88,"startBeat":2.0,"durationBeats":1.0}]},"label":"Generating bass via Orpheus","phase":"composition","agentId":"bass","sectionName":"full"}
        data: {"type":"planStepUpdate","seq":28,"protocolVersion":"0.1.4","stepId":"4","status":"completed","phase":"composition","result":"3 notes generated","agentId":"bass"}
        data: {"type":"agentComplete","seq":29,"protocolVersion":"0.1.4","agentId":"bass","success":true}
        data: {"type":"meta","seq":33,"protocolVersion":"0.1.4","variationId":"b4c5d6e7-1234-4567-89ab-cdef01234567","baseStateId":"9","intent":"MAESTRO PROMPT\nMode: compose\n...","aiExplanation":"Agent Teams composition: 1 instrument(s)","affectedTracks":["3f2e1d0c-aaaa-4bbb-8ccc-dddd00001111"],"affectedRegions":["7c6b5a49-eeee-4fff-8000-111122223333"],"noteCounts":{"added":3,"removed":0,"modified":0}}
        data: {"type":"phrase","seq":34,"protocolVersion":"0.1.4","phraseId":"0f1e2d3c-...","trackId":"3f2e1d0c-...","regionId":"7c6b5a49-...","startBeat":0.0,"endBeat":16.0,"label":"Bars 1-4","tags":[],"noteChanges":[{"noteId":"a1...","changeType":"added","after":{"pitch":45,"startBeat":0.0,"durationBeats":0.75,"velocity":96,"channel":0}},{"noteId":"a2...","changeType":"added","after":{"pitch":45,"startBeat":1.5,"durationBeats":0.25,"velocity":70,"channel":0}},{"noteId":"a3...","changeType":"added","after":{"pitch":52,"startBeat":2.0,"durationBeats":1.0,"velocity":88,"channel":0}}],"ccEvents":[],"pitchBends":[],"aftertouch":[]}
        data: {"type":"done","seq":35,"protocolVersion":"0.1.4","variationId":"b4c5d6e7-1234-4567-89ab-cdef01234567","phraseCount":1}
        data: {"type":"complete","seq":36,"protocolVersion":"0.1.4","success":true,"traceId":"5e1c9a40-7d2b-4f63-a8e5-90b1c2d3e4f5","inputTokens":18233,"contextWindowTokens":200000,"stateVersion":9,"variationId":"b4c5d6e7-1234-4567-89ab-cdef01234567","phraseCount":1,"totalChanges":3}
        """#.split(separator: "\n").map(String.init)

    /// The stream as sent: every frame followed by a blank line.
    static var wireText: String {
        frameLines.map { $0 + "\n\n" }.joined()
    }
}
