"""Sends RUNS requests, each with its own X-TDF-Run, through a recording proxy from CLIENTS threads, and at every
STEP runs reports the proxy's open descriptors, its RSS and the median latency of the requests since the last
report. After the last run it waits IDLE seconds (the proxy's --cassette-idle plus its one-second upkeep) and
reports once more, with no traffic.

Usage: python3 runs.py PROXY_URL PROXY_PID RUNS STEP CLIENTS IDLE
"""
import http.client
import os
import statistics
import sys
import threading
import time
import urllib.parse

url, pid, runs, step, clients, idle = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:7])
parts = urllib.parse.urlsplit(url)


def descriptors():
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_mib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def report(done, latencies):
    median = f"{statistics.median(latencies) * 1000:.2f}" if latencies else "-"
    print(f"| {done:>5} | {descriptors():>11} | {rss_mib():>8.1f} | {median:>17} |", flush=True)


lock = threading.Lock()
next_run = 0
failures = []
window = []


def client():
    global next_run
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    while True:
        with lock:
            if next_run >= runs or failures:
                return
            run = next_run
            next_run += 1
        started = time.perf_counter()
        connection.request("GET", "/", headers={"X-TDF-Run": f"r_{run:06d}", "X-TDF-Ordinal": "0"})
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        with lock:
            if response.status != 200:
                failures.append(f"run {run}: {response.status}")
            window.append(elapsed)


print("| runs  | descriptors | RSS MiB  | median latency ms |")
print("|------:|------------:|---------:|------------------:|")
report(0, [])
threads = [threading.Thread(target=client) for _ in range(clients)]
for thread in threads:
    thread.start()
reported = 0
while any(thread.is_alive() for thread in threads):
    time.sleep(0.01)
    with lock:
        done = next_run
        if done - reported >= step or (done == runs and reported < runs):
            taken, window[:] = list(window), []
        else:
            continue
    reported = done
    report(done, taken)
for thread in threads:
    thread.join()
time.sleep(idle)
print(f"| idle  | {descriptors():>11} | {rss_mib():>8.1f} | {'-':>17} |")
if failures:
    print(f"{len(failures)} requests failed, the first: {failures[0]}", file=sys.stderr)
    sys.exit(1)
