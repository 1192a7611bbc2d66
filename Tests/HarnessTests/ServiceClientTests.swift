import Foundation
import HTTPTransport
import HTTPWire
import JSON
import MIDI
import Testing

@testable import Harness

@Suite struct ServiceClientTests {
    /// 429 and 503 are retried honouring `Retry-After`, each attempt with its own ordinal; the final answer wins.
    @Test func retriesRateLimitsAndUnavailable() async throws {
        let calls = RequestRecorder()
        let fake = try FakeService { request in
            calls.append(request)
            switch calls.all.count {
            case 1:
                return jsonResponse(
                    429,
                    #"{"error":"Rate limit exceeded: 20 per 1 minute"}"#,
                    headers: [("Retry-After", "0")]
                )
            case 2:
                return jsonResponse(503, #"{"error":"Generation queue is full"}"#, headers: [("Retry-After", "0.01")])
            default: return jsonResponse(#"{"files":["a.mid"]}"#)
            }
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let files = try await StorpheusClient(context: fixture.context).listArtifacts(composition: "comp")
        #expect(files == ["a.mid"])
        #expect(fake.requests.map { $0.head.headers["X-TDF-Ordinal"] } == ["1", "2", "3"])
        #expect(fake.requests.allSatisfy { $0.head.headers["Authorization"] == nil })
        await fake.stop()
    }

    /// Retries are bounded: after the last attempt the service's own message fails the step.
    @Test func retriesAreBounded() async throws {
        let fake = try FakeService { _ in jsonResponse(503, #"{"error":"Generation queue is full"}"#) }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        await #expect {
            try await StorpheusClient(context: fixture.context).listArtifacts(composition: "comp")
        } throws: { error in
            let error = error as? HarnessError
            return error?.status == .storpheusError && error?.message.contains("Generation queue is full") == true
        }
        #expect(fake.requests.count == 3)
        await fake.stop()
    }

    /// `Retry-After` is honoured but capped; without it the wait doubles from the base delay.
    @Test func retryDelays() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(30))
        #expect(policy.delay(retry: 1, retryAfter: "2") == .seconds(2))
        #expect(policy.delay(retry: 1, retryAfter: "600") == .seconds(30))
        // What a server may send beyond any clock: capped, never a trap; not a number of seconds: the backoff.
        for huge in ["inf", "1e300", "9223372036854775807", "99999999999999999999"] {
            #expect(policy.delay(retry: 1, retryAfter: huge) == .seconds(30), "\(huge)")
        }
        for unusable in ["nan", "-1", "", "Wed, 21 Oct 2026 07:28:00 GMT"] {
            #expect(policy.delay(retry: 1, retryAfter: unusable) == .seconds(1), "\(unusable)")
        }
        #expect(policy.delay(retry: 3, retryAfter: nil) == .seconds(4))
        #expect(policy.delay(retry: 9, retryAfter: nil) == .seconds(30))
    }

    /// Artifact names are reduced to a safe base name: no directories, no `..`, no hidden files.
    @Test func sanitisesArtifactNames() {
        #expect(StorpheusClient.safeFileName("b2_1a2b3c4d.mid") == "b2_1a2b3c4d.mid")
        #expect(StorpheusClient.safeFileName("../../etc/passwd") == "passwd")
        #expect(StorpheusClient.safeFileName("..") == nil)
        #expect(StorpheusClient.safeFileName("a/../..") == nil)
        #expect(StorpheusClient.safeFileName(".bashrc") == "bashrc")
        #expect(StorpheusClient.safeFileName("x\\..\\y z.mid") == "yz.mid")
        #expect(StorpheusClient.safeFileName("") == nil)
    }

    /// A download answered with 200 JSON `{"error":...}` is a missing file, not the file; real files are kept.
    @Test func downloadChecksTheContentType() async throws {
        let midi = SMFWriter().bytes(for: [
            NoteTrack(notes: [Note(pitch: 60, velocity: 90, startBeat: 0, durationBeats: 1)])
        ])
        let fake = try FakeService { request in
            if request.head.path.hasSuffix("/gone.mid") { return jsonResponse(#"{"error":"Not found: gone.mid"}"#) }
            var headers = HTTPHeaders()
            headers.set(name: "Content-Type", value: "audio/midi")
            return HTTPServerResponse(status: 200, headers: headers, body: .bytes(midi))
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let client = StorpheusClient(context: fixture.context)
        #expect(try await client.download(composition: "c", file: "gone.mid") == nil)
        let artifact = try #require(try await client.download(composition: "c", file: "../b0_x.mid"))
        #expect(artifact.name == "b0_x.mid" && artifact.bytes == midi)
        #expect(fake.requests.last?.head.target == "/artifacts/c/b0_x.mid")
        await fake.stop()
    }

    /// Generation polls `/jobs/{id}/wait` until complete and reads `channel_notes`; `success:false` keeps
    /// Storpheus's error.
    @Test func generateWaitsForTheJob() async throws {
        let fake = try FakeService { request in
            switch request.head.path {
            case "/generate":
                let body = try? JSONParser.parse(request.body, options: .python)
                if body?["genre"]?.stringValue == "broken" {
                    return jsonResponse(
                        #"{"jobId":"j2","status":"complete","result":{"success":false,"notes":null,"channel_notes":null,"tool_calls":null,"error":"All candidates produced zero usable notes","metadata":null}}"#
                    )
                }
                return jsonResponse(#"{"jobId":"j1","status":"queued","position":1,"elapsed":0.0}"#)
            case "/jobs/j1/wait":
                return jsonResponse(
                    #"{"jobId":"j1","status":"complete","result":{"success":true,"notes":[],"channel_notes":{"bass":[{"pitch":40,"startBeat":0,"durationBeats":1,"velocity":90}]},"tool_calls":null,"metadata":{}},"elapsed":1.0}"#
                )
            default:
                return jsonResponse(404, #"{"error":"Job not found"}"#)
            }
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let client = StorpheusClient(context: fixture.context)
        let job = try await client.generate(["genre": "boom_bap"])
        #expect(job.notes.map(\.pitch) == [40])
        #expect(fake.requests.map(\.head.path) == ["/generate", "/jobs/j1/wait"])
        await #expect {
            try await client.generate(["genre": "broken"])
        } throws: { error in
            (error as? HarnessError)?.message.contains("zero usable notes") == true
        }
        await fake.stop()
    }

    /// Checkout reads `executed`, `failed` and `plan_hash` under `execution`; 409 `checkout_blocked` is drift;
    /// MUSE calls carry the token.
    @Test func museCheckoutShapes() async throws {
        let fake = try FakeService { request in
            let body = try? JSONParser.parse(request.body, options: .python)
            if body?["force"]?.boolValue == false {
                return jsonResponse(
                    409,
                    #"{"detail":{"error":"checkout_blocked","severity":"dirty","total_changes":57}}"#
                )
            }
            if body?["target_variation_id"]?.stringValue == "nope" {
                return jsonResponse(404, #"{"detail":"Cannot reconstruct snapshot for variation nope"}"#)
            }
            return jsonResponse(
                #"{"project_id":"p","from_variation_id":null,"to_variation_id":"c1","execution":{"executed":2,"failed":0,"plan_hash":"4f0c","events":[{"type":"toolCall","id":"x","tool":"stori_clear_notes","params":{}},{"type":"toolCall","id":"y","tool":"stori_add_notes","params":{}}]},"head_moved":true}"#
            )
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let muse = MuseClient(context: fixture.context)
        let forced = try await muse.checkout(project: "p", target: "c1", conversation: "conv", force: true)
        guard case .checkedOut(let from, let to, let moved, let execution) = forced else {
            Issue.record("expected a checkout")
            return
        }
        #expect(from == nil && to == "c1" && moved)
        #expect(
            execution
                == MuseExecution(
                    json: (try? JSONParser.parse(
                        #"{"execution":{"executed":2,"failed":0,"plan_hash":"4f0c","events":[{"tool":"stori_clear_notes"},{"tool":"stori_add_notes"}]}}"#,
                        options: .python
                    ))
                )
        )
        #expect(execution.executed == 2 && execution.planHash == "4f0c")
        let blocked = try await muse.checkout(project: "p", target: "c1", conversation: "conv", force: false)
        guard case .blocked(let severity, let changes) = blocked else {
            Issue.record("expected drift")
            return
        }
        #expect(severity == "dirty" && changes == 57)
        await #expect {
            try await muse.checkout(project: "p", target: "nope", conversation: "conv", force: true)
        } throws: { error in
            (error as? HarnessError)?.message.contains("404: Cannot reconstruct snapshot for variation nope") == true
        }
        #expect(fake.requests.allSatisfy { $0.head.headers["Authorization"] == "Bearer \(fixture.token)" })
        #expect(
            fake.requests.allSatisfy {
                (try? JSONParser.parse($0.body, options: .python))?["conversation_id"]?.stringValue == "conv"
            }
        )
        await fake.stop()
    }

    /// Merge returns the new commit on 200 and the conflicts on 409 `merge_conflict`.
    @Test func museMergeShapes() async throws {
        let fake = try FakeService { request in
            if (try? JSONParser.parse(request.body, options: .python))?["right_id"]?.stringValue == "x2" {
                return jsonResponse(
                    409,
                    #"{"detail":{"error":"merge_conflict","conflicts":[{"region_id":"keys","type":"note","description":"Both sides added conflicting note at pitch=72 beat=0.0"}]}}"#
                )
            }
            return jsonResponse(
                #"{"project_id":"p","merge_variation_id":"m1","left_id":"a","right_id":"b","execution":{"executed":1,"failed":0,"plan_hash":"ab","events":[]},"head_moved":true}"#
            )
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let muse = MuseClient(context: fixture.context)
        guard
            case .merged(let id, true, let execution) = try await muse.merge(
                project: "p",
                left: "a",
                right: "b",
                conversation: "c"
            )
        else {
            Issue.record("expected a merge")
            return
        }
        #expect(id == "m1" && execution.executed == 1)
        guard
            case .conflict(let conflicts) = try await muse.merge(
                project: "p",
                left: "x1",
                right: "x2",
                conversation: "c"
            )
        else {
            Issue.record("expected a conflict")
            return
        }
        #expect(conflicts.first?["region_id"]?.stringValue == "keys")
        await fake.stop()
    }
}
