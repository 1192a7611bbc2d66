#!/usr/bin/env python3
"""Full-page screenshot of an HTML file in headless Chromium, over the DevTools protocol on a pipe.

Usage: screenshot_report.py HTML PNG  (Scripts/screenshot-report.sh is the entry point; it passes both.)

Chromium runs with every request sent to a closed proxy port (127.0.0.1:9) and a net log. The page is laid out
1280 CSS px wide and as tall as its content (at most MAX_HEIGHT, said on stderr when cut), and the whole of it is
saved as a PNG. Exit status: 0 when the page was quiet; 1 when it logged to the console, threw, or asked for anything
over the network (Chromium's own background traffic to Google hosts is ignored), or Chromium failed; 2 when Chromium
is missing. Python 3 standard library only.
"""
import base64
import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time

WIDTH = 1280
FIRST_HEIGHT = 720  # the viewport the page loads in; a shorter page comes out this tall
MAX_HEIGHT = 60000
TIMEOUT = 120  # seconds for the whole run
GOOGLE = re.compile(r"^[a-z][a-z0-9+.-]*://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com)([/:]|$)", re.I)
LOCAL = re.compile(r"^(file|data|about|blob|chrome|devtools):", re.I)


class Fail(Exception):
    pass


class DevTools:
    """DevTools protocol over --remote-debugging-pipe: Chromium reads fd 3 and writes fd 4, NUL-delimited JSON."""

    def __init__(self, proc, to_chrome, from_chrome, deadline):
        self.proc, self.out, self.inp, self.deadline = proc, to_chrome, from_chrome, deadline
        self.buf, self.next_id, self.events = b"", 0, []

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise Fail("timed out waiting for Chromium")
            ready, _, _ = select.select([self.inp], [], [], min(left, 1.0))
            if not ready:
                if self.proc.poll() is not None:
                    raise Fail(f"Chromium exited with status {self.proc.returncode}")
                continue
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise Fail("Chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self.out, data):]
        except OSError as e:
            raise Fail(f"cannot talk to Chromium: {e.strerror}")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise Fail(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, session, seconds, since=0):
        """Collects events until `method` arrives on `session` (True) or `seconds` pass (False); only events from
        index `since` on count."""
        end = min(self.deadline, time.monotonic() + seconds)
        while True:
            for event in self.events[since:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return True
            if time.monotonic() >= end:
                return False
            ready, _, _ = select.select([self.inp], [], [], max(0.0, end - time.monotonic()))
            if ready or b"\0" in self.buf:
                self.events.append(self._read_message())

    def drain(self, seconds):
        """Collects events for a quiet moment, so late console messages and requests are seen."""
        self.wait_for("(none)", None, seconds)


def start_chromium(work):
    exe = shutil.which("chromium")
    if not exe:
        print("screenshot-report: chromium is not installed (Debian: apt-get install -y chromium)", file=sys.stderr)
        sys.exit(2)
    cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads fd 3
    res_r, res_w = os.pipe()  # Chromium writes fd 4, we read

    def child_fds():
        a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)
        os.dup2(a, 3)
        os.dup2(b, 4)

    args = [exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={work}/profile",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
            "--proxy-server=127.0.0.1:9", f"--log-net-log={work}/net.json",
            "--enable-logging=stderr", "--v=0", f"--window-size={WIDTH},{FIRST_HEIGHT}",
            "--remote-debugging-pipe", "about:blank"]
    log = open(os.path.join(work, "log"), "wb")
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            preexec_fn=child_fds, pass_fds=(3, 4))
    log.close()
    os.close(cmd_r)
    os.close(res_w)
    return proc, cmd_w, res_r


def describe_console(event):
    method, p = event["method"], event["params"]
    if method == "Runtime.consoleAPICalled":
        parts = []
        for arg in p.get("args", []):
            parts.append(str(arg["value"]) if "value" in arg else arg.get("description", arg.get("type", "?")))
        return f"console.{p.get('type')}: {' '.join(parts)}"
    if method == "Runtime.exceptionThrown":
        d = p.get("exceptionDetails", {})
        return f"exception: {d.get('exception', {}).get('description') or d.get('text')}"
    entry = p.get("entry", {})  # Log.entryAdded: CSP violations, failed loads, deprecations, ...
    where = f" ({entry['url']})" if entry.get("url") else ""
    return f"{entry.get('source')} {entry.get('level')}: {entry.get('text')}{where}"


def page_size(dt, session):
    m = dt.send("Page.getLayoutMetrics", session=session)
    size = m.get("cssContentSize") or m["contentSize"]
    return int(-(-size["width"] // 1)), int(-(-size["height"] // 1))


def json_string(escaped):
    try:
        return json.loads('"' + escaped + '"')
    except ValueError:
        return escaped


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise Fail(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def shoot(dt, url, png):
    target = dt.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = dt.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        dt.send(f"{domain}.enable", session=session)
    dt.send("Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": FIRST_HEIGHT, "deviceScaleFactor": 1, "mobile": False}, session)
    since = len(dt.events)
    nav = dt.send("Page.navigate", {"url": url}, session)
    if nav.get("errorText"):
        raise Fail(f"cannot open {url}: {nav['errorText']}")
    if not dt.wait_for("Page.loadEventFired", session, 60, since):
        raise Fail(f"{url} did not finish loading")
    dt.drain(0.5)

    # Lay the page out as tall as its content; a taller viewport can change the height (vh units, min-height:100%),
    # so measure again until it holds still.
    width, height = page_size(dt, session)
    for _ in range(5):
        view = min(height, MAX_HEIGHT)
        dt.send("Emulation.setDeviceMetricsOverride",
                {"width": WIDTH, "height": view, "deviceScaleFactor": 1, "mobile": False}, session)
        dt.drain(0.2)
        width, new_height = page_size(dt, session)
        if new_height == height:
            break
        height = new_height
    shot_h = min(height, MAX_HEIGHT)
    if height > MAX_HEIGHT:
        print(f"screenshot-report: the page is {height} px tall; the screenshot stops at {MAX_HEIGHT} px",
              file=sys.stderr)
    shot_w = max(width, WIDTH)
    if width > WIDTH:
        print(f"screenshot-report: the page is {width} px wide at a {WIDTH} px viewport (horizontal overflow); "
              f"the screenshot is {width} px wide", file=sys.stderr)
    shot = dt.send("Page.captureScreenshot",
                   {"format": "png", "captureBeyondViewport": True, "fromSurface": True,
                    "clip": {"x": 0, "y": 0, "width": shot_w, "height": shot_h, "scale": 1}}, session)
    dt.drain(0.3)
    try:
        with open(png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    except OSError as e:
        raise Fail(f"cannot write {png}: {e.strerror}")
    return session, (width, height)


def main():
    if len(sys.argv) != 3:
        print("usage: screenshot_report.py HTML PNG", file=sys.stderr)
        return 2
    html, png = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not os.path.isfile(html):
        print(f"screenshot-report: no such file: {html}", file=sys.stderr)
        return 2
    url = "file://" + html
    work = tempfile.mkdtemp(prefix="tdf-screenshot.")
    proc = None
    try:
        proc, to_chrome, from_chrome = start_chromium(work)
        dt = DevTools(proc, to_chrome, from_chrome, time.monotonic() + TIMEOUT)
        try:
            session, (page_w, page_h) = shoot(dt, url, png)
            try:
                dt.send("Browser.close")  # a clean exit writes the net log out in full
            except Fail:
                pass
            proc.wait(timeout=20)
        except (Fail, subprocess.TimeoutExpired) as e:
            with open(os.path.join(work, "log"), errors="replace") as f:
                sys.stderr.write(f.read())
            print(f"screenshot-report: {e}", file=sys.stderr)
            return 1

        status = 0
        w, h = png_size(png)
        print(png)
        print(f"screenshot-report: {w} x {h} px (page {page_w} x {page_h} CSS px)", file=sys.stderr)

        console = [describe_console(e) for e in dt.events if e.get("sessionId") == session
                   and e.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded")]
        for line in console:
            print(f"console: {line}", file=sys.stderr)

        urls = {e["params"]["request"]["url"] for e in dt.events
                if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session}
        try:
            with open(os.path.join(work, "net.json"), errors="replace") as f:
                urls.update(json_string(u) for u in re.findall(r'"url":"([a-z]*://[^"]*)"', f.read()))
        except OSError:
            pass
        requests = sorted(u for u in urls if not LOCAL.match(u) and not GOOGLE.match(u))
        for u in requests:
            print(f"network request: {u}", file=sys.stderr)

        if console or requests:
            status = 1
        else:
            print("screenshot-report: no console messages, no network requests", file=sys.stderr)
        return status
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
