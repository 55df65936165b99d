"""Checks a TensorFlow Serving gRPC endpoint with the official Python client.

    ~/tf-venv/bin/python Scripts/grpc_client_check.py HOST:PORT MODEL FIXTURE_DIR [--version N | --label L]
        [--wait SECONDS]

FIXTURE_DIR is a fixture (Fixtures/NAME) whose reference/inputs/<signature>/*.npy are sent and
whose reference/outputs/<signature>/*.npy are expected back (relative 1e-4, absolute 1e-5), through
the stubs of the official `tensorflow-serving-api` package, unchanged:

- GetModelStatus: the model has an AVAILABLE version (waits up to --wait seconds for one);
- GetModelMetadata: a SignatureDefMap in an Any of type
  type.googleapis.com/tensorflow.serving.SignatureDefMap, listing every reference signature with
  the reference inputs' dtypes;
- Predict: every reference signature, outputs equal to TensorFlow's;
- Classify and Regress: every signature in TensorFlow Serving's example form, fed the reference's
  serialized tf.Examples, answers equal to TensorFlow's;
- errors: an unknown model is NOT_FOUND, an unknown label INVALID_ARGUMENT.

Exits 0 when all hold, 1 with one line per failure otherwise.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import grpc  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow_serving.apis import (  # noqa: E402
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
    regression_pb2,
)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAIL {message}", file=sys.stderr)
    return condition


def spec(message, args, signature=None):
    message.model_spec.name = args.model
    if args.version is not None:
        message.model_spec.version.value = args.version
    elif args.label is not None:
        message.model_spec.version_label = args.label
    if signature is not None:
        message.model_spec.signature_name = signature


def references(root, kind):
    """{signature: {name: array}} from FIXTURE_DIR/reference/<kind>/."""
    base = os.path.join(root, "reference", kind)
    found = {}
    for signature in sorted(os.listdir(base)):
        found[signature] = {
            name[:-4]: np.load(os.path.join(base, signature, name))
            for name in sorted(os.listdir(os.path.join(base, signature)))
            if name.endswith(".npy")
        }
    return found


def wait_available(models, args):
    deadline = time.monotonic() + args.wait
    while True:
        request = get_model_status_pb2.GetModelStatusRequest()
        request.model_spec.name = args.model
        try:
            response = models.GetModelStatus(request, timeout=10)
            states = [get_model_status_pb2.ModelVersionStatus.State.Name(v.state) for v in response.model_version_status]
            if "AVAILABLE" in states:
                print(f"ok   GetModelStatus: versions {[v.version for v in response.model_version_status]} {states}")
                return True
        except grpc.RpcError as error:
            states = [f"{error.code().name}: {error.details()}"]
        if time.monotonic() >= deadline:
            return check(False, f"GetModelStatus: no AVAILABLE version of {args.model} after {args.wait}s ({states})")
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("model")
    parser.add_argument("fixture")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--version", type=int)
    choice.add_argument("--label")
    parser.add_argument("--wait", type=float, default=30)
    args = parser.parse_args()

    inputs = references(args.fixture, "inputs")
    outputs = references(args.fixture, "outputs")
    channel = grpc.insecure_channel(
        args.target, options=[("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
    )
    prediction = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    models = model_service_pb2_grpc.ModelServiceStub(channel)

    if not wait_available(models, args):
        return 1

    request = get_model_metadata_pb2.GetModelMetadataRequest()
    spec(request, args)
    request.metadata_field.append("signature_def")
    response = prediction.GetModelMetadata(request, timeout=30)
    packed = response.metadata["signature_def"]
    check(
        packed.type_url == "type.googleapis.com/tensorflow.serving.SignatureDefMap",
        f"GetModelMetadata: type URL {packed.type_url}",
    )
    signatures = get_model_metadata_pb2.SignatureDefMap()
    check(packed.Unpack(signatures), "GetModelMetadata: the Any does not unpack as a SignatureDefMap")
    for signature, tensors in inputs.items():
        if check(signature in signatures.signature_def, f"GetModelMetadata: no signature {signature}"):
            definition = signatures.signature_def[signature]
            for name, array in tensors.items():
                info = definition.inputs.get(name)
                if check(info is not None, f"GetModelMetadata: {signature} has no input {name}"):
                    expected = tf.dtypes.as_dtype(array.dtype if array.dtype.kind != "S" else tf.string)
                    check(
                        info.dtype == expected.as_datatype_enum,
                        f"GetModelMetadata: {signature}/{name} dtype {info.dtype}, reference {expected.name}",
                    )
    print(f"ok   GetModelMetadata: version {response.model_spec.version.value}, signatures {sorted(signatures.signature_def)}")

    for signature, tensors in inputs.items():
        request = predict_pb2.PredictRequest()
        spec(request, args, signature)
        for name, array in tensors.items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(array))
        response = prediction.Predict(request, timeout=60)
        check(response.model_spec.signature_name == signature, f"Predict {signature}: answered for {response.model_spec}")
        for name, expected in outputs[signature].items():
            if not check(name in response.outputs, f"Predict {signature}: no output {name}"):
                continue
            actual = tf.make_ndarray(response.outputs[name])
            if expected.dtype.kind in "fc":
                good = actual.shape == expected.shape and np.allclose(actual, expected, rtol=1e-4, atol=1e-5)
            else:
                good = actual.shape == expected.shape and np.array_equal(actual, expected)
            check(good, f"Predict {signature}/{name}: got {actual.shape} {actual.ravel()[:4]}, want {expected.shape} {expected.ravel()[:4]}")
        print(f"ok   Predict {signature}: {sorted(response.outputs)} match TensorFlow")

    # Signatures in TensorFlow Serving's example form also answer Classify and Regress, fed the
    # reference's serialized tf.Examples as Example messages.
    for signature, tensors in inputs.items():
        method = signatures.signature_def[signature].method_name if signature in signatures.signature_def else ""
        if method not in ("tensorflow/serving/classify", "tensorflow/serving/regress"):
            continue
        examples = [tf.train.Example.FromString(record) for record in tensors["inputs"].ravel()]
        if method.endswith("classify"):
            request = classification_pb2.ClassificationRequest()
            spec(request, args, signature)
            request.input.example_list.examples.extend(examples)
            response = prediction.Classify(request, timeout=60)
            rows = response.result.classifications
            labels = np.array([[c.label.encode() for c in row.classes] for row in rows])
            scores = np.array([[c.score for c in row.classes] for row in rows], dtype=np.float32)
            want_labels = outputs[signature].get("classes")
            want_scores = outputs[signature].get("scores")
            good = (want_labels is None or np.array_equal(labels, want_labels)) and (
                want_scores is None or (scores.shape == want_scores.shape and np.allclose(scores, want_scores, rtol=1e-4, atol=1e-5))
            )
            check(good, f"Classify {signature}: got {labels.ravel()[:3]} {scores.ravel()[:3]}, want {want_scores.ravel()[:3] if want_scores is not None else None}")
            print(f"ok   Classify {signature}: {len(rows)} examples match TensorFlow")
        else:
            request = regression_pb2.RegressionRequest()
            spec(request, args, signature)
            request.input.example_list.examples.extend(examples)
            response = prediction.Regress(request, timeout=60)
            values = np.array([r.value for r in response.result.regressions], dtype=np.float32)
            want = outputs[signature]["outputs"].ravel()
            good = values.shape == want.shape and np.allclose(values, want, rtol=1e-4, atol=1e-5)
            check(good, f"Regress {signature}: got {values[:3]}, want {want[:3]}")
            print(f"ok   Regress {signature}: {len(values)} examples match TensorFlow")

    for change, code in [(("model", "no-such-model"), grpc.StatusCode.NOT_FOUND), (("label", "no-such-label"), grpc.StatusCode.INVALID_ARGUMENT)]:
        request = predict_pb2.PredictRequest()
        request.model_spec.name = args.model
        if change[0] == "model":
            request.model_spec.name = change[1]
        else:
            request.model_spec.version_label = change[1]
        try:
            prediction.Predict(request, timeout=30)
            check(False, f"Predict with an unknown {change[0]} succeeded")
        except grpc.RpcError as error:
            check(error.code() == code, f"Predict with an unknown {change[0]}: {error.code().name}, want {code.name}")
    print("ok   errors: unknown model NOT_FOUND, unknown label INVALID_ARGUMENT")

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
