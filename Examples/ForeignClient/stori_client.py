#!/usr/bin/env python3
"""A Stori client that tdf did not write, for trying tdf's recording proxy on someone else's traffic.

Standard library only. It behaves as real clients do and a record/replay tool must cope with:
  * it invents a uuid4 for every MUSE commit and a conversation id for the compose stream;
  * it sends the time it sent each request (ISO 8601 and epoch seconds in bodies, a query parameter, a header);
  * it writes query parameters in a random order;
  * it uses ids from earlier answers (a prompt id, the log's node ids, the merge commit id) in later requests;
  * it sends no X-TDF-* header.

Usage: STORI_JWT=<token> stori_client.py MAESTRO_BASE_URL
Prints one JSON line per request: {"step", "status", "checks": {name: bool}}; exits 0 when every request got a
2xx answer and every check held, else 1. A check compares an answer with what this client sent this time, so
against a replay it holds only if the proxy gave the client its own ids back.
"""

import datetime
import json
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE = sys.argv[1].rstrip("/")
TOKEN = os.environ["STORI_JWT"]
PROJECT = "foreign-client-project"
failures = 0


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def call(step, method, path, body=None, query=None, checks=None):
    """Sends one request; prints the step's line; returns the parsed JSON answer (or the raw text)."""
    global failures
    if query:
        items = list(query.items())
        random.shuffle(items)
        path += "?" + urllib.parse.urlencode(items)
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + TOKEN, "X-Client-Sent-At": now_iso()}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    text = raw.decode("utf-8", "replace")
    try:
        answer = json.loads(text)
    except ValueError:
        answer = text
    results = {}
    if 200 <= status < 300 and checks:
        for name, check in checks.items():
            try:
                results[name] = bool(check(answer))
            except Exception:  # a missing key is a failed check, not a crash
                results[name] = False
    if not 200 <= status < 300 or not all(results.values()):
        failures += 1
    line = {"step": step, "status": status, "checks": results}
    if not 200 <= status < 300:
        line["answer"] = text[:2000]
    print(json.dumps(line), flush=True)
    return answer


def pick(answer, *keys):
    """answer[k1][k2]..., or None when the answer has no such value (an error answer)."""
    for key in keys:
        try:
            answer = answer[key]
        except (KeyError, IndexError, TypeError):
            return None
    return answer


def sse_events(text):
    """The JSON data of every event of an SSE body."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip(" ") for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


prompts = call("prompts", "GET", "/api/v1/maestro/prompts", checks={"four prompts": lambda a: len(a["prompts"]) == 4})
chosen = pick(prompts, "prompts", 0, "id") or "none"
prompt = call("prompt", "GET", "/api/v1/maestro/prompts/" + urllib.parse.quote(chosen),
              checks={"the prompt asked for": lambda a: a["id"] == chosen})

conversation = str(uuid.uuid4())
stream = call(
    "compose",
    "POST",
    "/api/v1/maestro/stream",
    body={"prompt": pick(prompt, "fullPrompt"), "conversationId": conversation, "storePrompt": False,
          "sentAt": now_iso()},
    checks={"a complete event": lambda text: sse_events(text)[-1]["type"] == "complete"},
)

commits = {}
for name, parent in [("root", None), ("edit", "root"), ("branch", "root")]:
    commits[name] = str(uuid.uuid4())
    sent = commits[name]
    call(
        "commit " + name,
        "POST",
        "/api/v1/muse/variations",
        body={"project_id": PROJECT, "variation_id": sent, "intent": name,
              "parent_variation_id": commits.get(parent), "created_at": now_iso(), "client_time": time.time()},
        checks={"own variation_id echoed": lambda a, sent=sent: a["variation_id"] == sent},
    )

call("head", "POST", "/api/v1/muse/head", body={"variation_id": commits["edit"]},
     checks={"own head echoed": lambda a: a["head"] == commits["edit"]})
log = call(
    "log",
    "GET",
    "/api/v1/muse/log",
    query={"project_id": PROJECT, "since": now_iso(), "limit": "50"},
    checks={"own ids in the log": lambda a: sorted(n["id"] for n in a["nodes"]) == sorted(commits.values()),
            "own head in the log": lambda a: a["head"] == commits["edit"]},
)
merge = call(
    "merge",
    "POST",
    "/api/v1/muse/merge",
    body={"project_id": PROJECT, "left_id": commits["edit"], "right_id": commits["branch"]},
    checks={"own parents echoed": lambda a: (a["left_id"], a["right_id"]) == (commits["edit"], commits["branch"])},
)
merged = pick(merge, "merge_variation_id")
root_from_log = pick(log, "nodes", 0, "id")
call(
    "checkout",
    "POST",
    "/api/v1/muse/checkout",
    body={"project_id": PROJECT, "target_variation_id": root_from_log, "force": False},
    checks={"moved from the merge": lambda a: a["from_variation_id"] == merged,
            "moved to the root": lambda a: a["to_variation_id"] == commits["root"]},
)
call("log after checkout", "GET", "/api/v1/muse/log", query={"limit": "50", "project_id": PROJECT},
     checks={"head is the root": lambda a: a["head"] == commits["root"]})
sys.exit(1 if failures else 0)
