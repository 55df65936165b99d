"""Writes golden TensorFlow Serving gRPC messages with the official Python API.

    ~/tf-venv/bin/python Scripts/make-serving-golden.py [OUT_DIR]

Every file is a message serialized by the official `tensorflow-serving-api` package (with
TensorFlow's own `tf.make_tensor_proto` for tensors), from the fixtures' TensorFlow reference
inputs, so the Swift tests (Tests/ServingGRPCTests/GoldenTests.swift) can prove that our own
.proto schemas read what the official client writes, byte for byte on the wire. The default
OUT_DIR is Tests/ServingGRPCTests/Golden. Deterministic: a rerun writes the same bytes (no map
with more than one entry is serialized).
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow_serving.apis import (  # noqa: E402
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    predict_pb2,
    regression_pb2,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "ServingGRPCTests", "Golden")


def reference(fixture, kind, signature, name):
    return np.load(os.path.join(ROOT, "Fixtures", fixture, "reference", kind, signature, name + ".npy"))


def write(name, message):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(message.SerializeToString(deterministic=True))
    print(f"{name}: {message.ByteSize()} bytes")


def example(features):
    """A tf.train.Example from {name: list of float | int | bytes}."""
    feature = {}
    for key, values in features.items():
        if isinstance(values[0], float):
            feature[key] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        elif isinstance(values[0], bytes):
            feature[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        else:
            feature[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feature))


def main():
    os.makedirs(OUT, exist_ok=True)

    # keras2_mlp serving_default, version 1, the reference input packed in tensor_content (what
    # make_tensor_proto does with a numpy array), an output filter.
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "keras2_mlp"
    request.model_spec.version.value = 1
    request.model_spec.signature_name = "serving_default"
    request.inputs["features"].CopyFrom(tf.make_tensor_proto(reference("keras2_mlp", "inputs", "serving_default", "features")))
    request.output_filter.append("probs")
    write("predict_keras2_mlp.pb", request)

    # string_lookup by label, strings in string_val, no signature name (so serving_default).
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "string_lookup"
    request.model_spec.version_label = "stable"
    request.inputs["words"].CopyFrom(tf.make_tensor_proto(reference("string_lookup", "inputs", "serving_default", "words")))
    write("predict_string_lookup.pb", request)

    # module_two_signatures "scale", latest version: x packed by make_tensor_proto, and the
    # reference factor (a scalar, 1.5) as one float_val value for the shape [2, 3], which
    # TensorFlow broadcasts (make_tensor_proto writes a single value when all are equal); the
    # products are the reference outputs still.
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "module_two_signatures"
    request.model_spec.signature_name = "scale"
    x = reference("module_two_signatures", "inputs", "scale", "x")
    request.inputs["x"].CopyFrom(tf.make_tensor_proto(x))
    request.inputs["factor"].CopyFrom(tf.make_tensor_proto(float(reference("module_two_signatures", "inputs", "scale", "factor")), dtype=tf.float32, shape=[2, 3]))
    write("predict_module_scale.pb", request)

    request = get_model_metadata_pb2.GetModelMetadataRequest()
    request.model_spec.name = "module_two_signatures"
    request.model_spec.version.value = 2
    request.metadata_field.append("signature_def")
    write("get_model_metadata.pb", request)

    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "keras2_mlp"
    write("get_model_status.pb", request)

    # Classify keras2_mlp's reference rows as Examples with a context: the context's "features"
    # is overridden by each record's own (protobuf merge), its "source" is added to each record.
    features = reference("keras2_mlp", "inputs", "serving_default", "features")
    request = classification_pb2.ClassificationRequest()
    request.model_spec.name = "keras2_mlp"
    request.model_spec.signature_name = "classify"
    with_context = request.input.example_list_with_context
    with_context.context.CopyFrom(example({"source": [b"golden"]}))
    for row in features:
        with_context.examples.add().CopyFrom(example({"features": [float(v) for v in row]}))
    write("classify_keras2_mlp.pb", request)

    request = regression_pb2.RegressionRequest()
    request.model_spec.name = "keras2_mlp"
    request.model_spec.signature_name = "regress"
    for row in features:
        request.input.example_list.examples.add().CopyFrom(example({"features": [float(v) for v in row]}))
    write("regress_keras2_mlp.pb", request)

    # What TensorFlow Serving answers to GetModelMetadata for module_two_signatures: its
    # SignatureDefs (less __saved_model_init_op, as we serve them) packed into an Any.
    from tensorflow.core.protobuf import saved_model_pb2

    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(ROOT, "Fixtures", "module_two_signatures", "model", "saved_model.pb"), "rb") as f:
        saved_model.ParseFromString(f.read())
    signatures = get_model_metadata_pb2.SignatureDefMap()
    for key, definition in saved_model.meta_graphs[0].signature_def.items():
        if not key.startswith("__"):
            signatures.signature_def[key].CopyFrom(definition)
    response = get_model_metadata_pb2.GetModelMetadataResponse()
    response.model_spec.name = "module_two_signatures"
    response.model_spec.version.value = 2
    response.metadata["signature_def"].Pack(signatures)
    write("get_model_metadata_response.pb", response)


if __name__ == "__main__":
    main()
