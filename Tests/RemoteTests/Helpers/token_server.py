#!/usr/bin/env python3
"""A token server for the remote tests: Distribution's token spec, nothing more (stdlib + openssl).

GET /token?service=S&scope=repository:NAME:pull,push with Basic USER:PASSWORD answers
{"token", "access_token", "expires_in", "issued_at"}: an RS256 JWT signed by `openssl dgst` with
--key, carrying --cert in its `x5c` header, since Distribution 2.8 takes the signing key from x5c
and verifies that chain against its `rootcertbundle`. It checks iss, aud (= service), exp and nbf
(each with 60 s of leeway) and grants what the `access` claim lists.

Files in --dir: `port` (written once listening), `issued.log` (one line per token: its scope, or
`-` for none; `refused` for bad credentials), and `control.json`, read on every request:
  expires_in  what the answer says (default 300)
  valid_for   seconds the registry will accept the token (exp = iat + valid_for - 60); default:
              expires_in. Lets a test make the registry reject a token the client thinks is good.
  unavailable the first this many token requests (counted from when control.json last changed)
              answer 503 with Retry-After: 0, as a token service that is briefly down
"""
import argparse
import base64
import json
import os
import secrets
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LEEWAY = 60  # Distribution's clock-skew allowance on exp and nbf.


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("dir", "key", "cert", "issuer", "service", "user", "password"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()
    # A child inherits its parent thread's signal mask; the Swift test runner's blocks SIGTERM.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    with open(args.cert) as file:
        pem = file.read()
    # A PEM body is the DER certificate in standard base64: x5c wants exactly that.
    der_b64 = "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))
    expected = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
    lock = threading.Lock()
    counters: dict = {}

    def control() -> dict:
        try:
            with open(os.path.join(args.dir, "control.json")) as file:
                return json.load(file)
        except FileNotFoundError:
            return {}

    def record(line: str) -> None:
        with lock, open(os.path.join(args.dir, "issued.log"), "a") as file:
            file.write(line + "\n")

    def sign(claims: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": [der_b64]}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", args.key],
            input=signing_input.encode(), capture_output=True, check=True,
        ).stdout
        return signing_input + "." + b64url(signature)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):  # quiet
            pass

        def answer(self, status: int, body: dict, extra: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path != "/token":
                self.answer(404, {"error": "not found"})
                return
            settings = control()
            with lock:
                if settings != counters.get("settings"):
                    counters.update(requests=0, settings=settings)
                counters["requests"] += 1
                down = counters["requests"] <= int(settings.get("unavailable", 0))
            if down:
                record("unavailable")
                self.answer(503, {"error": "try again"}, {"Retry-After": "0"})
                return
            if self.headers.get("Authorization") != expected:
                record("refused")
                self.answer(401, {"error": "bad credentials"}, {"WWW-Authenticate": 'Basic realm="token"'})
                return
            query = parse_qs(url.query)
            if query.get("service") != [args.service]:
                self.answer(400, {"error": "unknown service"})
                return
            scopes = query.get("scope", [])
            access = []
            for scope in scopes:
                kind, _, rest = scope.partition(":")
                name, _, actions = rest.rpartition(":")
                access.append({"type": kind, "name": name, "actions": [a for a in actions.split(",") if a]})
            settings = control()
            expires_in = int(settings.get("expires_in", 300))
            valid_for = int(settings.get("valid_for", expires_in))
            now = int(time.time())
            claims = {
                "iss": args.issuer, "sub": args.user, "aud": args.service, "iat": now, "nbf": now,
                "exp": now + valid_for - (LEEWAY if "valid_for" in settings else 0),
                "jti": secrets.token_hex(8), "access": access,
            }
            token = sign(claims)
            record(" ".join(scopes) or "-")
            issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
            self.answer(200, {"token": token, "access_token": token, "expires_in": expires_in, "issued_at": issued})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_file = os.path.join(args.dir, "port")
    with open(port_file + ".tmp", "w") as file:
        file.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
