"""Hostile clients and the well-behaved one whose latency they must not ruin (used by run.sh).

python3 clients.py measure PORT N                -> one JSON line: p50/p99/max ms of N sequential GET /api/v1/health
python3 clients.py slowloris PORT CONNS SECONDS  -> CONNS connections trickling a head at one byte per second
python3 clients.py idle PORT CONNS SECONDS       -> CONNS connections opened and left idle
python3 clients.py garbage PORT SECONDS          -> new connections sending a good request then garbage, back to back
python3 clients.py upload PORT SECONDS           -> POSTs declaring Content-Length 1e9 and streaming, back to back
Every attacker prints one JSON line describing what the server did to it.
"""
import asyncio
import json
import socket
import sys
import time

GOOD = b"GET /api/v1/health HTTP/1.1\r\nHost: bench\r\n\r\n"


def measure(port, count):
    """Sequential requests, each on a new connection: the accept path is what attackers crowd."""
    times, failures = [], 0
    for _ in range(count):
        start = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
                connection.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := connection.recv(65536):
                    data += chunk
            if not data.startswith(b"HTTP/1.1 200"):
                failures += 1
        except OSError:
            failures += 1
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    pick = lambda q: round(times[min(len(times) - 1, int(q * len(times)))], 2)
    print(json.dumps({"requests": count, "failures": failures, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
                      "max_ms": round(times[-1], 2)}))


async def slow_connection(port, seconds, outcome):
    head = b"GET /api/v1/health HTTP/1.1\r\nHost: bench\r\nX-Slow: " + b"z" * 4096
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            outcome["refused"] += 1
            await asyncio.sleep(1)
            continue
        answered = asyncio.ensure_future(reader.read(200))
        sent = 0
        while time.monotonic() < deadline and not answered.done() and sent < len(head):
            try:
                writer.write(head[sent:sent + 1])
                await writer.drain()
            except OSError:
                break
            sent += 1
            await asyncio.sleep(1)
        if answered.done():
            reply = answered.result()
            key = ("answered_" + reply[9:12].decode(errors="replace")) if reply else "closed"
            outcome[key] = outcome.get(key, 0) + 1
        else:
            answered.cancel()
        writer.close()


async def slowloris(port, connections, seconds):
    outcome = {"refused": 0}
    await asyncio.gather(*(slow_connection(port, seconds, outcome) for _ in range(connections)))
    print(json.dumps({"attack": "slowloris", "connections": connections, **outcome}))


async def idle(port, connections, seconds):
    opened, closed_by_server = [], 0
    for _ in range(connections):
        try:
            opened.append(await asyncio.open_connection("127.0.0.1", port))
        except OSError:
            break
    await asyncio.sleep(seconds)
    for reader, writer in opened:
        try:
            data = await asyncio.wait_for(reader.read(200), 0.001)
            closed_by_server += 1 if data == b"" or data.startswith(b"HTTP/1.1 503") else 0
        except (asyncio.TimeoutError, OSError):
            pass
        writer.close()
    print(json.dumps({"attack": "idle", "opened": len(opened), "closed_by_server": closed_by_server}))


def garbage(port, seconds):
    deadline, statuses = time.monotonic() + seconds, {}
    while time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(GOOD + b"\x01\x02NOT HTTP AT ALL\r\n\r\n")
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        key = ",".join(part[:3].decode(errors="replace") for part in data.split(b"HTTP/1.1 ")[1:])
        statuses[key] = statuses.get(key, 0) + 1
    print(json.dumps({"attack": "pipelined-garbage", "answers": statuses}))


def upload(port, seconds):
    deadline, results = time.monotonic() + seconds, []
    piece = b" " * 65536
    while time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(b"POST /api/v1/maestro/stream HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json"
                               b"\r\nContent-Length: 1000000000\r\n\r\n")
            connection.setblocking(False)
            sent, reply = 0, b""
            while sent < (1 << 30):
                try:
                    reply += connection.recv(65536)
                    if reply:
                        break
                except BlockingIOError:
                    pass
                except OSError:
                    break
                try:
                    sent += connection.send(piece)
                except BlockingIOError:
                    time.sleep(0.001)
                except OSError:
                    break
            results.append((reply[9:12].decode(errors="replace") or "none", sent))
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    print(json.dumps({"attack": "1GB-upload", "uploads": len(results), "answers": statuses,
                      "max_bytes_sent_before_answer": max(sent for _, sent in results)}))


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    numbers = [int(argument) for argument in sys.argv[3:]]
    if mode == "measure":
        measure(port, *numbers)
    elif mode == "slowloris":
        asyncio.run(slowloris(port, *numbers))
    elif mode == "idle":
        asyncio.run(idle(port, *numbers))
    elif mode == "garbage":
        garbage(port, *numbers)
    elif mode == "upload":
        upload(port, *numbers)
    else:
        sys.exit(__doc__)
