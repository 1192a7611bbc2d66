#!/usr/bin/env python3
"""SSE clients for Benchmarks/soak/run.sh.

  sse_clients.py URL TOKEN CLIENTS SECONDS REPORT

CLIENTS threads each open compose streams (POST /api/v1/maestro/stream) one after the other through URL for
SECONDS, tagging every request with X-TDF-Run: soak-CLIENT and X-TDF-Ordinal: 0, 1, 2, ... Each stream is read to
its end and counts as complete when its last event is `complete`. REPORT gets JSON: per run, the ordinals sent,
and the numbers of complete and failed streams.
"""
import http.client
import json
import sys
import threading
import time

PROMPT = ("MAESTRO PROMPT\nMode: compose\nStyle: boom bap\nTempo: 90\nKey: Am\nRoles:\n- bass\n"
          "Request: |\n  a short groove for the soak test")


def client(host, port, token, run, deadline, result):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    ordinal = 0
    while time.monotonic() < deadline:
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json",
                   "Accept": "text/event-stream", "X-TDF-Run": run, "X-TDF-Ordinal": str(ordinal)}
        result["sent"].append(ordinal)
        ordinal += 1
        try:
            connection.request("POST", "/api/v1/maestro/stream", body=json.dumps({"prompt": PROMPT}), headers=headers)
            response = connection.getresponse()
            last = None
            for line in response.read().split(b"\n"):
                if line.startswith(b"data: "):
                    last = json.loads(line[6:]).get("type")
            if response.status == 200 and last == "complete":
                result["complete"] += 1
            else:
                result["failed"] += 1
                result["failures"].append("%s #%d: status %d, last event %s" % (run, ordinal - 1, response.status, last))
        except (OSError, http.client.HTTPException, ValueError) as error:
            result["failed"] += 1
            result["failures"].append("%s #%d: %r" % (run, ordinal - 1, error))
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=60)
    connection.close()


def main():
    url, token, clients, seconds, report = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    host, port = url[len("http://"):].rstrip("/").split(":")
    deadline = time.monotonic() + seconds
    results = {}
    threads = []
    for index in range(clients):
        run = "soak-%02d" % index
        results[run] = {"sent": [], "complete": 0, "failed": 0, "failures": []}
        thread = threading.Thread(target=client, args=(host, int(port), token, run, deadline, results[run]))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    with open(report, "w") as file:
        json.dump(results, file)


if __name__ == "__main__":
    main()
