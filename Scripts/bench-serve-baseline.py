"""A minimal TensorFlow Serving-like REST server, the baseline of Scripts/bench-serve.sh.

    <venv>/bin/python Scripts/bench-serve-baseline.py MODEL_DIR NAME [PORT]

TensorFlow Serving's own binary is not installable here, so this stands in for it: TensorFlow in
Python behind the standard library's ThreadingHTTPServer (one thread per connection, HTTP/1.1
keep-alive), doing what a predict request needs and nothing more: decode the JSON body, build the
input tensors from `instances` (row format) or `inputs` (columnar format) by the signature's
dtypes, call `loaded.signatures[signature_name or "serving_default"](**tensors)`, and encode
`{"predictions": ...}` or `{"outputs": ...}` with `json.dumps`. Only float, integer, bool and
string inputs are handled, which covers the requests the benchmark sends; there is no batching,
no version policy, no metrics.

It binds 127.0.0.1:PORT (0, the default, picks a free port) at once and prints
`baseline: serving NAME on http://127.0.0.1:PORT`, then loads the SavedModel with
tf.saved_model.load and makes one warm-up call of `serving_default` with zero-filled inputs
(unknown dimensions taken as 1), as `registry serve` does before it calls a version AVAILABLE.
Until then GET /v1/models/NAME answers 503 (state LOADING); after, 200 with state AVAILABLE, so
the time from process start to that 200 is the time to ready. SIGTERM and SIGINT stop it.
"""
import json
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PATH = re.compile(r"^/v1/models/([^/:]+)(?:/versions/\d+|/labels/[^/:]+)?(:predict)?$", re.IGNORECASE)


class BadRequest(Exception):
    pass


class Model:
    def __init__(self, name):
        self.name = name
        self.signatures = None  # set once loaded and warmed up
        self.np = None
        self.tf = None

    def load(self, model_dir):
        import numpy as np
        import tensorflow as tf
        loaded = tf.saved_model.load(model_dir)
        signatures = dict(loaded.signatures)
        fn = signatures.get("serving_default") or next(iter(signatures.values()))
        zeros = {key: tf.zeros([d if d is not None else 1 for d in spec.shape.as_list()] if spec.shape.rank is not None
                               else [], spec.dtype)
                 for key, spec in fn.structured_input_signature[1].items()}
        fn(**zeros)
        self.np, self.tf, self.loaded = np, tf, loaded
        self.signatures = signatures

    def tensor(self, value, spec):
        dtype = spec.dtype
        if dtype == self.tf.string:
            return self.tf.constant(value, dtype=self.tf.string)
        try:
            tensor = self.tf.constant(self.np.asarray(value, dtype=dtype.as_numpy_dtype))
        except (ValueError, TypeError) as error:
            raise BadRequest(f"cannot convert input to {dtype.name}: {error}")
        if not spec.shape.is_compatible_with(tensor.shape):
            raise BadRequest(f"input shape {tensor.shape} does not match the signature's {spec.shape}")
        return tensor

    def predict(self, body):
        if not isinstance(body, dict):
            raise BadRequest("JSON Value is not an object")
        key = body.get("signature_name") or "serving_default"
        fn = self.signatures.get(key)
        if fn is None:
            raise BadRequest(f'Serving signature name: "{key}" not found in signature def')
        specs = fn.structured_input_signature[1]
        if ("instances" in body) == ("inputs" in body):
            raise BadRequest("Missing 'inputs' or 'instances' key" if "instances" not in body
                             else "Exactly one of 'inputs' or 'instances' must be set")
        if "instances" in body:
            rows = body["instances"]
            if not isinstance(rows, list) or not rows:
                raise BadRequest("'instances' must be a non-empty list")
            if len(specs) == 1:
                (name, spec), = specs.items()
                values = [row[name] if isinstance(row, dict) and set(row) == {name} else row for row in rows]
                tensors = {name: self.tensor(values, spec)}
            else:
                if not all(isinstance(row, dict) and set(row) == set(specs) for row in rows):
                    raise BadRequest("every element of 'instances' must be an object with keys " + ", ".join(sorted(specs)))
                tensors = {name: self.tensor([row[name] for row in rows], spec) for name, spec in specs.items()}
        else:
            value = body["inputs"]
            if len(specs) == 1 and not (isinstance(value, dict) and set(specs) <= set(value)):
                (name, spec), = specs.items()
                tensors = {name: self.tensor(value, spec)}
            else:
                if not isinstance(value, dict) or not set(specs) <= set(value):
                    raise BadRequest("'inputs' must name every input: " + ", ".join(sorted(specs)))
                tensors = {name: self.tensor(value[name], spec) for name, spec in specs.items()}
        try:
            outputs = fn(**tensors)
        except (self.tf.errors.InvalidArgumentError, ValueError, TypeError) as error:
            raise BadRequest(str(error).splitlines()[0] if str(error) else type(error).__name__)
        outputs = {name: plain(value.numpy()) for name, value in outputs.items()}
        if "inputs" in body:
            return {"outputs": next(iter(outputs.values())) if len(outputs) == 1 else outputs}
        if len(outputs) == 1:
            return {"predictions": next(iter(outputs.values()))}
        count = len(next(iter(outputs.values())))
        return {"predictions": [{name: value[i] for name, value in outputs.items()} for i in range(count)]}


def plain(array):
    if array.dtype.kind in "SO":
        return [plain(item) for item in array] if array.ndim else array.item().decode("utf-8", "replace")
    return array.tolist()


def handler_for(model):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as wrk and TF Serving expect
        # Headers and body leave in separate writes; without TCP_NODELAY the body waits for the
        # client's delayed ACK of the headers (40 ms per request on Linux).
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def answer(self, status, payload):
            data = json.dumps(payload, separators=(",", ":")).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def route(self, predict):
            match = PATH.match(self.path)
            if not match or bool(match.group(2)) != predict:
                return None, (400, {"error": f"Malformed request: {self.command} {self.path}"})
            if match.group(1) != model.name:
                return None, (404, {"error": f"Servable not found for request: Latest({match.group(1)})"})
            return match, None

        def do_GET(self):
            _, error = self.route(predict=False)
            if error:
                return self.answer(*error)
            state = "AVAILABLE" if model.signatures is not None else "LOADING"
            self.answer(200 if state == "AVAILABLE" else 503, {"model_version_status": [
                {"version": "1", "state": state, "status": {"error_code": "OK", "error_message": ""}}]})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length)
            _, error = self.route(predict=True)
            if error:
                return self.answer(*error)
            if model.signatures is None:
                return self.answer(404, {"error": f"Servable not found for request: Latest({model.name})"})
            try:
                body = json.loads(data)
            except ValueError as parse_error:
                return self.answer(400, {"error": f"JSON Parse error: {parse_error}"})
            try:
                self.answer(200, model.predict(body))
            except BadRequest as bad:
                self.answer(400, {"error": str(bad)})

    return Handler


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.split("\n\n")[1])
    model_dir, name = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    model = Model(name)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(model))
    server.daemon_threads = True
    server.request_queue_size = 128
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"baseline: serving {name} on http://127.0.0.1:{server.server_address[1]}", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    model.load(model_dir)
    print(f"baseline: {name} AVAILABLE", flush=True)
    stop.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
