#!/usr/bin/env python3
"""A misbehaving HTTP proxy for the remote tests (stdlib only): it forwards to --upstream (a
plain-HTTP registry), except that some requests get a failure instead.

Files in --dir: `port` (written once listening), `requests.log` (one line per request:
`SECONDS METHOD PATH OUTCOME`, OUTCOME a status it made up, `reset`, or `passed STATUS`), and
`control.json`, read on every request (`GET /v2/`, the client's probe, always passes); counting
starts afresh whenever it changes:
  every        every n-th request (counting from 1) fails; 0 = none (default)
  failures     what those answer in turn: 429, 500, 502, 503 or "reset" (default [503])
  limit        at most this many failures in all (default: no limit)
  retry_after  the Retry-After header sent with 429 (default "1")
  reset_gets   this many GETs are passed on, then cut half-way through the body (connection reset)
  delay        seconds to wait before passing on a blob PUT or GET (a slow link, so a test can
               kill a client half-way through a transfer)
"""
import argparse
import http.client
import json
import os
import signal
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--upstream", required=True)
    args = parser.parse_args()
    # A child inherits its parent thread's signal mask; the Swift test runner's blocks SIGTERM.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    lock = threading.Lock()
    counters = {"requests": 0, "failures": 0, "resets": 0}

    def control() -> dict:
        try:
            with open(os.path.join(args.dir, "control.json")) as file:
                return json.load(file)
        except FileNotFoundError:
            return {}

    def log(method: str, path: str, outcome: str) -> None:
        with lock, open(os.path.join(args.dir, "requests.log"), "a") as file:
            file.write(f"{time.monotonic():.3f} {method} {path} {outcome}\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):  # quiet
            pass

        def plan(self) -> object:
            """What to do with this request: None (pass), a status, "reset" or "reset_get"."""
            if self.path == "/v2/":
                return None  # The client's plain-HTTP probe of a loopback host: not counted, never harmed.
            settings = control()
            every = int(settings.get("every", 0))
            failures = settings.get("failures", [503])
            limit = settings.get("limit")
            with lock:
                if settings != counters.get("settings"):  # New instructions: count afresh.
                    counters.update(requests=0, failures=0, resets=0, settings=settings)
                counters["requests"] += 1
                number = counters["requests"]
                if every and number % every == 0 and (limit is None or counters["failures"] < limit):
                    failure = failures[counters["failures"] % len(failures)]
                    counters["failures"] += 1
                    return failure
                if self.command == "GET" and counters["resets"] < int(settings.get("reset_gets", 0)):
                    counters["resets"] += 1
                    return "reset_get"
            return None

        def reset(self) -> None:
            """Drops the connection with a TCP reset (linger 0), not a clean close."""
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.wfile.close()
            self.rfile.close()
            self.connection.close()
            self.close_connection = True

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except ValueError:  # Flushing what reset() closed.
                if not self.wfile.closed:
                    raise

        def finish(self) -> None:
            if not self.wfile.closed:
                super().finish()

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            action = self.plan()
            if isinstance(action, int):
                log(self.command, self.path, str(action))
                data = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "the proxy says no"}]}).encode()
                self.send_response(action)
                if action == 429:
                    self.send_header("Retry-After", str(control().get("retry_after", "1")))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                return
            if action == "reset":
                log(self.command, self.path, "reset")
                self.reset()
                return
            delay = float(control().get("delay", 0))
            if delay and self.command in ("PUT", "GET") and "/blobs/" in self.path:
                time.sleep(delay)
            upstream = http.client.HTTPConnection(args.upstream, timeout=120)
            try:
                # Host passes unchanged, so the registry's Location URLs lead back through us.
                upstream.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
                response = upstream.getresponse()
                data = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                declared = response.getheader("Content-Length") if self.command == "HEAD" else str(len(data))
                if declared is not None:
                    self.send_header("Content-Length", declared)
                self.end_headers()
                if action == "reset_get" and len(data) > 1:
                    log(self.command, self.path, "reset")
                    self.wfile.write(data[: len(data) // 2])
                    self.reset()
                    return
                log(self.command, self.path, f"passed {response.status}")
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                upstream.close()

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_file = os.path.join(args.dir, "port")
    with open(port_file + ".tmp", "w") as file:
        file.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
