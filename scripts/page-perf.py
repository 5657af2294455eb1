#!/usr/bin/env python3
"""The playground's page performance, measured in headless Chromium on the release build (dist/):
how soon after navigation the terminal answers a command, and, with 100 pods animating at 10x,
the frame rate, the longest gap between frames, long tasks, and the slowest simulation tick.

Drives Chromium through chromedriver's WebDriver HTTP API with the standard library only, so it
needs nothing beyond what `make test` installs. Run `make page-perf` (builds dist/ first) or
`SKIP_BUILD=1 make page-perf`; prints one line per measurement, for the README.
"""

import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = os.environ.get("DIST", os.path.join(ROOT, "dist"))
MEASURE_MS = 5000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(directory):
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


class WebDriver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "args": ["--headless=new", "--no-sandbox", "--window-size=1280,800", "--disable-gpu"]
                    },
                }
            }
        }
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())["value"]

    def go(self, url):
        self.call("POST", f"/session/{self.session}/url", {"url": url})

    def run(self, script, *args):
        """Runs an async script: its last argument is the callback that returns the result."""
        self.call("POST", f"/session/{self.session}/timeouts", {"script": 120_000})
        return self.call("POST", f"/session/{self.session}/execute/async", {"script": script, "args": list(args)})

    def close(self):
        self.call("DELETE", f"/session/{self.session}")


# Types a line into the terminal as the browser tests do: the textarea's value, then Enter.
TYPE = """
function typeLine(line) {
  const input = document.querySelector('[aria-label=Terminal]');
  input.value = line;
  input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
}
"""

# From navigation start: when the terminal's input exists, and when `kubectl version` typed at that
# moment has printed its answer.
INTERACTIVE = TYPE + """
const done = arguments[arguments.length - 1];
let inputAt = null;
(function poll() {
  const input = document.querySelector('[aria-label=Terminal]');
  if (input && inputAt === null) {
    inputAt = performance.now();
    typeLine('kubectl version');
  }
  const screen = document.querySelector('.terminal-screen');
  if (inputAt !== null && screen && screen.textContent.includes('Server Version')) {
    done({input: inputAt, answered: performance.now()});
  } else {
    setTimeout(poll, 5);
  }
})();
"""

# 100 pods at 10x speed: frames, the longest gap, long tasks, and the page's own tick figures.
ANIMATE = TYPE + """
const [ms, done] = [arguments[0], arguments[arguments.length - 1]];
typeLine('kubarium speed 10');
typeLine('kubectl create deployment load --image=nginx --replicas=100');
const longTasks = [];
const start = performance.now();
const observer = new PerformanceObserver(list => list.getEntries().forEach(e => longTasks.push([e.startTime - start, e.duration])));
try { observer.observe({type: 'longtask', buffered: false}); } catch (e) {}
let frames = 0, last = null, gap = 0;
function frame(t) {
  frames += 1;
  if (last !== null) gap = Math.max(gap, t - last);
  last = t;
  if (t - start < ms) {
    requestAnimationFrame(frame);
  } else {
    observer.disconnect();
    const clock = document.querySelector('.clock');
    const attr = name => parseFloat(clock && clock.getAttribute(name));
    done({
      frames, seconds: (t - start) / 1000, gap, longTasks,
      slowestTick: attr('data-slowest-tick-ms'), slowestStep: attr('data-slowest-step-ms'),
    });
  }
}
requestAnimationFrame(frame);
"""


def main():
    if not os.path.exists(os.path.join(DIST, "index.html")):
        sys.exit("dist/ has no release build: run `make build-web` (or `make page-perf`) first")
    server = serve(DIST)
    driver_port = free_port()
    driver = subprocess.Popen(
        [os.environ.get("CHROMEDRIVER", "chromedriver"), f"--port={driver_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{driver_port}/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        wd = WebDriver(driver_port)
        try:
            wd.go(f"http://127.0.0.1:{server.server_address[1]}/#lang=en")
            t = wd.run(INTERACTIVE)
            print(f"terminal input present {t['input']:.0f} ms after navigation start; "
                  f"`kubectl version` answered at {t['answered']:.0f} ms")
            a = wd.run(ANIMATE, MEASURE_MS)
            fps = a["frames"] / a["seconds"]
            long_tasks = a["longTasks"]
            worst = max((d for _, d in long_tasks), default=0)
            when = ", ".join(f"{d:.0f} ms at +{t / 1000:.1f} s" for t, d in long_tasks)
            print(f"100 pods animating at 10x: {a['frames']} frames in {a['seconds']:.1f} s ({fps:.1f} fps), "
                  f"longest frame gap {a['gap']:.1f} ms, {len(long_tasks)} long tasks over 50 ms ({when or 'none'}), "
                  f"slowest tick {a['slowestTick']:.1f} ms, slowest single item {a['slowestStep']:.1f} ms")
        finally:
            wd.close()
    finally:
        driver.terminate()
        server.shutdown()


if __name__ == "__main__":
    main()
