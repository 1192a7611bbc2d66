#!/usr/bin/env python3
"""SSE per-event delay, for Benchmarks/proxy/run.sh.

  sse_delay.py serve                 run an SSE upstream on 127.0.0.1 (port printed on stdout), until killed
  sse_delay.py measure URL N GAP_MS  read N events from URL (the upstream, or a proxy in front of it) and print
                                     the delay of each event, from the upstream's send to the client's receipt,
                                     as JSON: {"n", "median_ms", "p99_ms", "max_ms"}

Both sides stamp with time.monotonic_ns() (CLOCK_MONOTONIC, shared by every process on the machine): the upstream
puts its send time in each event's data, the client subtracts it from the time the event's last byte arrived.
"""
import json
import socket
import sys
import threading
import time


def serve():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=stream, args=(connection,), daemon=True).start()


def stream(connection):
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        request = b""
        while b"\r\n\r\n" not in request:
            more = connection.recv(65536)
            if not more:
                return
            request += more
        target = request.split(b" ", 2)[1].decode()
        query = dict(part.split("=", 1) for part in target.partition("?")[2].split("&") if "=" in part)
        count = int(query.get("n", "100"))
        gap = int(query.get("gap", "20")) / 1000
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for index in range(count):
            data = json.dumps({"type": "tick", "seq": index, "sent_ns": time.monotonic_ns()}, separators=(",", ":"))
            event = ("data: %s\n\n" % data).encode()
            connection.sendall(b"%x\r\n%s\r\n" % (len(event), event))
            time.sleep(gap)
        connection.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    finally:
        connection.close()


def measure(url, count, gap):
    rest = url[len("http://"):]
    authority, _, path = rest.partition("/")
    host, _, port = authority.partition(":")
    connection = socket.create_connection((host, int(port)))
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    target = "/%s?n=%d&gap=%d" % (path, count, gap)
    connection.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n" % (target, authority)).encode())
    delays = []
    buffer = b""
    while len(delays) < count:
        more = connection.recv(65536)
        now = time.monotonic_ns()
        if not more:
            break
        buffer += more
        # Chunk framing lines are not "data:" lines, so scanning lines is enough for this fixed upstream.
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            for line in block.split(b"\n"):
                if line.startswith(b"data: "):
                    sent = json.loads(line[6:])["sent_ns"]
                    delays.append((now - sent) / 1e6)
    connection.close()
    delays.sort()
    if not delays:
        print(json.dumps({"n": 0}))
        return
    print(json.dumps({
        "n": len(delays),
        "median_ms": round(delays[len(delays) // 2], 3),
        "p99_ms": round(delays[min(len(delays) - 1, int(len(delays) * 0.99))], 3),
        "max_ms": round(delays[-1], 3),
    }))


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve()
    elif sys.argv[1:2] == ["measure"]:
        measure(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
