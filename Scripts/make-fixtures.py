#!/usr/bin/env python3
"""Generate the SavedModel test fixtures in Fixtures/ with real TensorFlow.

Usage (from the repository root):

    /path/to/tf-venv/bin/python Scripts/make-fixtures.py [--out Fixtures] [--only NAME ...]

(or just `Scripts/make-fixtures.sh`, which creates the venv first).

For every fixture NAME this writes Fixtures/NAME/:

    model/                      the SavedModel exactly as TensorFlow wrote it
    reference/saved_model_cli.txt   `saved_model_cli show --all --dir model`
    reference/facts.json        facts an independent reader must reproduce
    reference/inputs/<signature>/<input>.npy
    reference/outputs/<signature>/<output>.npy

The reference outputs are computed by loading the *saved* model back with
TensorFlow (tf.saved_model.load, or a tf.compat.v1 Session for TF1) and
calling each serving signature.  Where an in-memory model exists, its output is
also checked against the reloaded one.

Every fixture is generated in its own Python process (fresh TensorFlow state,
so function names and ids are reproducible); the fixtures run one after the
other, never in parallel.  The Swift tests never need TensorFlow: they only
read the committed files.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

# Must be set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain Eigen kernels: stabler numerics

import numpy as np  # noqa: E402  (numpy is cheap; TensorFlow is imported lazily)

SEED = 1234
BATCH = 2
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WORDS = [b"the", b"quick", b"brown", b"fox", b"jumps", b"over", b"lazy", b"dog"]


# ----------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------

def _tf():
    import tensorflow as tf
    return tf


def _keras3(seed=SEED):
    """Import Keras 3 and seed python/numpy/TensorFlow."""
    import keras
    keras.utils.set_random_seed(seed)
    return keras


def _seed_everything(seed=SEED):
    tf = _tf()
    tf.random.set_seed(seed)
    np.random.seed(seed)
    import random
    random.seed(seed)


def _randomize_batchnorm(model, seed):
    """Give every BatchNormalization layer non-trivial gamma/beta/moving stats,
    so that a reader that mixes them up produces wrong numbers."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ != "BatchNormalization":
            continue
        gamma, beta, mean, var = layer.get_weights()
        layer.set_weights([
            rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
            rng.normal(0.0, 0.1, beta.shape).astype(np.float32),
            rng.normal(0.0, 0.1, mean.shape).astype(np.float32),
            rng.uniform(0.5, 1.5, var.shape).astype(np.float32),
        ])


def _write_vocab(directory, words):
    """Write a one-word-per-line vocabulary file and return its path."""
    path = os.path.join(directory, "vocab.txt")
    with open(path, "wb") as f:
        f.write(b"\n".join(words) + b"\n")
    return path


def _strings(rows):
    """A fixed-width bytes ('S') array, as used for every string npy file."""
    return np.array(rows, dtype="S")


# ----------------------------------------------------------------------------
# Fixtures.  Each one writes a SavedModel into `model_dir` and returns a dict:
#   inputs:   {signature: {input_name: np.ndarray}}  (optional; random otherwise)
#   expected: {signature: {output_name: np.ndarray}} (optional; checked against
#             what the reloaded model computes)
#   check:    function(inputs of one signature) -> the single output, computed
#             by the in-memory model (optional; used for every serving signature)
#   extra:    additional entries for facts.json (optional)
# ----------------------------------------------------------------------------

def keras2_mlp(model_dir):
    """tf-keras (Keras 2, `import tf_keras`) Sequential MLP saved with
    `model.save(dir, save_format="tf")`: the classic Keras-2 SavedModel layout
    with keras_metadata.pb, fingerprint.pb and an (empty) assets/ directory.
    Dense(8, relu) -> Dense(3, softmax) on a float32 [None, 4] input."""
    import tf_keras
    tf_keras.utils.set_random_seed(SEED)
    model = tf_keras.Sequential([
        tf_keras.layers.InputLayer(input_shape=(4,), name="features"),
        tf_keras.layers.Dense(8, activation="relu", name="hidden"),
        tf_keras.layers.Dense(3, activation="softmax", name="probs"),
    ])
    model.save(model_dir, save_format="tf")
    return {"check": lambda inputs: model(next(iter(inputs.values()))).numpy()}


def keras3_cnn_bn(model_dir):
    """Keras 3 (`import keras`) small CNN exported with `model.export(dir)`:
    Conv2D -> BatchNormalization -> ReLU -> MaxPooling2D -> Conv2D ->
    GlobalAveragePooling2D -> Dense(4).  Input float32 [None, 8, 8, 3].
    BatchNormalization statistics are randomized (non-trivial mean/variance)."""
    keras = _keras3()
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 3), name="image"),
        keras.layers.Conv2D(4, 3, padding="same", name="conv1"),
        keras.layers.BatchNormalization(name="bn1"),
        keras.layers.ReLU(name="relu1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(6, 3, padding="valid", activation="relu", name="conv2"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(4, name="logits"),
    ], name="cnn_bn")
    _randomize_batchnorm(model, SEED)
    model.export(model_dir, verbose=False)
    return {"check": lambda inputs: keras.ops.convert_to_numpy(
        model(next(iter(inputs.values())), training=False))}


def mobilenet_v2(model_dir):
    """Keras 3 `keras.applications.MobileNetV2(alpha=0.1, input_shape=(32, 32, 3),
    classes=10, weights=None)` with random weights (and randomized BatchNorm
    statistics): a realistic deep graph (Conv2D, DepthwiseConv2dNative,
    BatchNorm as Rsqrt/Mul/Sub, Relu6, Pad, Add, Mean, Softmax; 262 variables).
    Exported with the lower-level `keras.export.ExportArchive` (one endpoint
    "serve" plus the automatic "serving_default" alias, and no `track(model)`),
    which stores each variable once (`_all_variables/N`): `model.export()` would
    store every variable twice and make this fixture ~2.5 MB instead of ~1.4 MB."""
    tf = _tf()
    keras = _keras3()
    model = keras.applications.MobileNetV2(
        input_shape=(32, 32, 3), alpha=0.1, weights=None, classes=10)
    _randomize_batchnorm(model, SEED)
    archive = keras.export.ExportArchive()
    archive.add_endpoint("serve", model, input_signature=[
        tf.TensorSpec(shape=(None, 32, 32, 3), dtype=tf.float32, name="image")])
    archive.write_out(model_dir, verbose=False)
    return {"check": lambda inputs: keras.ops.convert_to_numpy(
        model(next(iter(inputs.values())), training=False)),
        "extra": {"parameters": int(model.count_params())}}


def module_two_signatures(model_dir):
    """Plain `tf.Module` with four variables (float32 and int64) and two
    signatures saved with `tf.saved_model.save(module, dir, signatures={...})`:
    `serving_default(x: float32 [None,3], ids: int64 [None]) -> {y: [None,2]}`
    (MatMul + bias + embedding Gather) and
    `scale(x: float32 [None,3], factor: float32 of unknown rank) ->
    {scaled: [None,3], total: scalar}`."""
    tf = _tf()
    _seed_everything()

    class TwoSignatures(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.random.normal([3, 2], seed=1), name="w")
            self.b = tf.Variable([0.5, -0.25], name="b")
            self.embedding = tf.Variable(tf.random.normal([10, 2], seed=2), name="embedding")
            self.calls = tf.Variable(tf.constant(7, tf.int64), name="calls")

        @tf.function(input_signature=[
            tf.TensorSpec([None, 3], tf.float32, name="x"),
            tf.TensorSpec([None], tf.int64, name="ids")])
        def serve(self, x, ids):
            emb = tf.gather(self.embedding, ids)
            return {"y": tf.matmul(x, self.w) + self.b + emb}

        @tf.function(input_signature=[
            tf.TensorSpec([None, 3], tf.float32, name="x"),
            tf.TensorSpec(None, tf.float32, name="factor")])
        def scale(self, x, factor):
            scaled = x * factor * tf.cast(self.calls, tf.float32)
            return {"scaled": scaled, "total": tf.reduce_sum(scaled)}

    module = TwoSignatures()
    tf.saved_model.save(module, model_dir, signatures={
        "serving_default": module.serve.get_concrete_function(),
        "scale": module.scale.get_concrete_function(),
    })
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(BATCH, 3)).astype(np.float32)
    inputs = {
        "serving_default": {"x": x, "ids": np.array([3, 9], dtype=np.int64)},
        "scale": {"x": x, "factor": np.array(1.5, dtype=np.float32)},
    }
    expected = {
        name: {k: v.numpy() for k, v in fn(**inputs[name]).items()}
        for name, fn in [("serving_default", module.serve), ("scale", module.scale)]
    }
    return {"inputs": inputs, "expected": expected}


def tf1_builder(model_dir):
    """TF1-style graph (tf.compat.v1, graph mode, Session) with reference
    (non-resource) `VariableV2` variables, saved by
    `tf.compat.v1.saved_model.Builder` with tags ["serve"] and one predict
    signature `serving_default(x: float32 [None,3]) -> {y: float32 [None,2]}`,
    y = relu(x @ w + b).  No fingerprint.pb and no object graph."""
    tf = _tf()
    v1 = tf.compat.v1
    rng = np.random.default_rng(SEED)
    w_init = rng.normal(size=(3, 2)).astype(np.float32)
    b_init = np.array([0.1, -0.2], dtype=np.float32)
    graph = tf.Graph()
    with graph.as_default(), v1.Session(graph=graph) as sess:
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        w = v1.Variable(w_init, name="w", use_resource=False)
        b = v1.Variable(b_init, name="b", use_resource=False)
        y = tf.nn.relu(tf.matmul(x, w) + b, name="y")
        assert w.op.type == "VariableV2", w.op.type
        sess.run(v1.global_variables_initializer())
        signature = v1.saved_model.signature_def_utils.predict_signature_def(
            inputs={"x": x}, outputs={"y": y})
        builder = v1.saved_model.Builder(model_dir)
        builder.add_meta_graph_and_variables(
            sess, ["serve"], signature_def_map={"serving_default": signature})
        builder.save()
    xin = rng.normal(size=(BATCH, 3)).astype(np.float32)
    yout = np.maximum(xin @ w_init + b_init, 0.0)
    return {"inputs": {"serving_default": {"x": xin}},
            "expected": {"serving_default": {"y": yout}}}


def _layered_mlp_module():
    """tf.Module MLP float32 [None,4] -> 16 -> 16 -> 3 with one sub-module per
    layer (checkpoint keys `layer1/w/.ATTRIBUTES/VARIABLE_VALUE`, ...)."""
    tf = _tf()
    _seed_everything()

    class Dense(tf.Module):
        def __init__(self, n_in, n_out, seed):
            super().__init__()
            self.w = tf.Variable(tf.random.normal([n_in, n_out], seed=seed), name="w")
            self.b = tf.Variable(tf.random.normal([n_out], seed=seed + 1), name="b")

        def __call__(self, x):
            return tf.matmul(x, self.w) + self.b

    class MLP(tf.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = Dense(4, 16, seed=1)
            self.layer2 = Dense(16, 16, seed=3)
            self.layer3 = Dense(16, 3, seed=5)

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")])
        def __call__(self, x):
            h = tf.nn.relu(self.layer1(x))
            h = tf.nn.relu(self.layer2(h))
            return {"y": self.layer3(h)}

    return MLP()


def _save_layered_mlp(model_dir, sharding_callback):
    tf = _tf()
    module = _layered_mlp_module()
    tf.saved_model.save(
        module, model_dir,
        signatures={"serving_default": module.__call__.get_concrete_function()},
        options=tf.saved_model.SaveOptions(experimental_sharding_callback=sharding_callback))
    shards = _data_shards(model_dir)
    if len(shards) < 2:
        raise SystemExit(f"{model_dir}: expected several data shards, got {shards}")
    x = np.random.default_rng(SEED).normal(size=(BATCH, 4)).astype(np.float32)
    return {"inputs": {"serving_default": {"x": x}},
            "expected": {"serving_default": {"y": module(x)["y"].numpy()}}}


def sharded_vars(model_dir):
    """`tf.Module` MLP (float32 [None,4] -> 16 -> 16 -> 3, one sub-module per
    layer) saved with a custom `tf.train.experimental.ShardingCallback` that
    puts each layer's variables (and the object graph) into its own shard:
    4 data files `variables.data-0000K-of-00004`, whole tensors only (no
    slices).  Note: in TF 2.21 placing variables on several logical CPU devices
    no longer shards the save (the default policy shards by task only)."""
    tf = _tf()

    class OneShardPerLayer(tf.train.experimental.ShardingCallback):
        @property
        def description(self):
            return "one shard per top-level checkpoint path component"

        def __call__(self, shardable_tensors):
            shards = {}
            for t in shardable_tensors:
                group = t.checkpoint_key.split("/")[0]
                shards.setdefault(group, {}).setdefault(
                    t.checkpoint_key, {})[t.slice_spec] = t.tensor
            return list(shards.values())

    return _save_layered_mlp(model_dir, OneShardPerLayer())


def sharded_slices(model_dir):
    """The same layered `tf.Module` MLP as sharded_vars, saved with
    `SaveOptions(experimental_sharding_callback=
    tf.train.experimental.MaxShardSizePolicy(max_shard_size=1200))`.  That
    policy fills each shard up to the byte limit by SLICING tensors, so some
    variables are stored as partitioned tensors: the full-name index entry has
    `slices` and no data, and each slice is a separate entry under an encoded
    slice key, possibly in different shard files."""
    tf = _tf()
    return _save_layered_mlp(
        model_dir, tf.train.experimental.MaxShardSizePolicy(max_shard_size=1200))


def _finetune_model():
    """The shared tf-keras MLP behind finetune_base / finetune_head (tf-keras
    because its checkpoint keys, e.g. `layer_with_weights-2/kernel/...`, are
    stable across saves; Keras 3 `export()` numbers its `_all_variables/N`
    differently from one run to the next)."""
    import tf_keras
    tf_keras.utils.set_random_seed(SEED)
    return tf_keras.Sequential([
        tf_keras.layers.InputLayer(input_shape=(6,), name="features"),
        tf_keras.layers.Dense(16, activation="relu", name="body1"),
        tf_keras.layers.Dense(16, activation="relu", name="body2"),
        tf_keras.layers.Dense(3, name="head"),
    ], name="finetune")


def finetune_base(model_dir):
    """Base model of the fine-tune pair: a tf-keras MLP (float32 [None,6] ->
    Dense 16 "body1" -> Dense 16 "body2" -> Dense 3 "head"), saved with
    `model.save(dir, save_format="tf")`.  finetune_head is the same model with
    only the head's weights changed, so most variable bytes are shared between
    the two (dedup)."""
    model = _finetune_model()
    model.save(model_dir, save_format="tf")
    return {"check": lambda inputs: model(next(iter(inputs.values()))).numpy()}


def finetune_head(model_dir, out_dir):
    """Fine-tune of finetune_base: the identical model (same seed, same
    weights) with NEW values assigned to the final Dense layer ("head") only,
    saved the same way.  facts.json lists `changed_variables`: the checkpoint
    keys whose values differ from finetune_base (exactly the head's kernel and
    bias).  Needs finetune_base generated first (the script does that)."""
    tf = _tf()
    model = _finetune_model()
    rng = np.random.default_rng(SEED + 1)
    head = model.get_layer("head")
    head.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32)
                      for w in head.get_weights()])
    model.save(model_dir, save_format="tf")

    base_prefix = os.path.join(out_dir, "finetune_base", "model", "variables", "variables")
    head_prefix = os.path.join(model_dir, "variables", "variables")
    base = tf.train.load_checkpoint(base_prefix)
    tuned = tf.train.load_checkpoint(head_prefix)
    base_keys = {k for k, _ in tf.train.list_variables(base_prefix)}
    tuned_keys = {k for k, _ in tf.train.list_variables(head_prefix)}
    if base_keys != tuned_keys:
        raise SystemExit(f"finetune_head: checkpoint keys differ: {base_keys ^ tuned_keys}")
    changed = sorted(
        k for k in tuned_keys
        if k != "_CHECKPOINTABLE_OBJECT_GRAPH"
        and not np.array_equal(base.get_tensor(k), tuned.get_tensor(k)))
    expected = ["layer_with_weights-2/bias/.ATTRIBUTES/VARIABLE_VALUE",
                "layer_with_weights-2/kernel/.ATTRIBUTES/VARIABLE_VALUE"]
    if changed != expected:
        raise SystemExit(f"finetune_head: expected exactly the head to change, got {changed}")
    return {"check": lambda inputs: model(next(iter(inputs.values()))).numpy(),
            "extra": {"base_fixture": "finetune_base", "changed_variables": changed}}


def lstm(model_dir):
    """Keras 3 LSTM model exported with `model.export(dir)`:
    float32 [None, 5, 4] -> LSTM(8) -> Dense(3).  On CPU the recurrence is a
    `While` loop over TensorList ops inside library functions."""
    keras = _keras3()
    model = keras.Sequential([
        keras.Input(shape=(5, 4), name="sequence"),
        keras.layers.LSTM(8, name="lstm"),
        keras.layers.Dense(3, name="out"),
    ], name="lstm_model")
    model.export(model_dir, verbose=False)
    return {"check": lambda inputs: keras.ops.convert_to_numpy(
        model(next(iter(inputs.values()))))}


def attention(model_dir):
    """Keras 3 transformer-style block exported with `model.export(dir)`:
    float32 [None, 6, 8] -> MultiHeadAttention(2 heads, key_dim 4, self-attention)
    -> residual Add -> LayerNormalization -> Dense(8, relu) -> Dense(3).
    Covers Einsum, Softmax, Mean/variance (LayerNorm) ops."""
    keras = _keras3()
    inp = keras.Input(shape=(6, 8), name="tokens")
    att = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(inp, inp)
    x = keras.layers.Add(name="residual")([inp, att])
    x = keras.layers.LayerNormalization(name="norm")(x)
    x = keras.layers.Dense(8, activation="relu", name="ffn")(x)
    out = keras.layers.Dense(3, name="out")(x)
    model = keras.Model(inp, out, name="attention_block")
    model.export(model_dir, verbose=False)
    return {"check": lambda inputs: keras.ops.convert_to_numpy(
        model(next(iter(inputs.values()))))}


def _keras_inputs(name, array):
    """The same input for both signatures Keras 3 `export()` writes."""
    return {"serve": {name: array}, "serving_default": {name: array}}


def gru(model_dir):
    """Keras 3 GRU model exported with `model.export(dir)`:
    float32 [None, 5, 3] -> GRU(4) (the default reset_after=True, so the bias
    holds separate input and recurrent halves) -> Dense(2).  Like lstm, the
    recurrence is a `While` loop over TensorList ops in library functions."""
    keras = _keras3()
    model = keras.Sequential([
        keras.Input(shape=(5, 3), name="sequence"),
        keras.layers.GRU(4, name="gru"),
        keras.layers.Dense(2, name="out"),
    ], name="gru_model")
    model.export(model_dir, verbose=False)
    return {"check": lambda inputs: keras.ops.convert_to_numpy(
        model(next(iter(inputs.values()))))}


def simple_rnn_sequences(model_dir):
    """Keras 3 stacked recurrent model returning whole sequences, exported with
    `model.export(dir)`: float32 [None, 5, 3] -> SimpleRNN(6,
    return_sequences=True) -> GRU(4, return_sequences=True, reset_after=False:
    one bias, reset gate applied before the recurrent matmul) ->
    TimeDistributed(Dense(2)) -> float32 [None, 5, 2].  Two `While` loops that
    stack every step's output into a TensorList; TimeDistributed over the
    static time axis is unrolled into one Dense per step."""
    keras = _keras3()
    model = keras.Sequential([
        keras.Input(shape=(5, 3), name="sequence"),
        keras.layers.SimpleRNN(6, return_sequences=True, name="rnn"),
        keras.layers.GRU(4, return_sequences=True, reset_after=False, name="gru"),
        keras.layers.TimeDistributed(keras.layers.Dense(2), name="per_step"),
    ], name="simple_rnn_sequences")
    model.export(model_dir, verbose=False)
    return {"check": lambda inputs: keras.ops.convert_to_numpy(
        model(next(iter(inputs.values()))))}


def bidirectional_masked(model_dir):
    """Keras 3 masked bidirectional recurrent model exported with
    `model.export(dir)`: int32 token ids [None, 6] (0 = padding) ->
    Embedding(20, 4, mask_zero=True) -> Bidirectional(LSTM(4,
    return_sequences=True)) -> Bidirectional(GRU(3)) -> Dense(2).  The mask
    reaches every loop step (padded steps keep the previous state and output),
    and the backward layers run over the reversed sequence and mask.  The
    reference rows are padded to true lengths 3 and 5, and each row's output
    equals what the layers give on the unpadded row alone."""
    keras = _keras3()
    embed = keras.layers.Embedding(
        20, 4, mask_zero=True, name="embed",
        embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0))
    layers = [
        keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True), name="bi_lstm"),
        keras.layers.Bidirectional(keras.layers.GRU(3), name="bi_gru"),
        keras.layers.Dense(2, name="out"),
    ]

    def apply(x):
        x = embed(x)
        for layer in layers:
            x = layer(x)
        return x

    inp = keras.Input(shape=(6,), dtype="int32", name="tokens")
    model = keras.Model(inp, apply(inp), name="bidirectional_masked")
    model.export(model_dir, verbose=False)
    tokens = np.array([[5, 3, 9, 0, 0, 0], [7, 1, 12, 4, 19, 0]], dtype=np.int32)
    padded = keras.ops.convert_to_numpy(model(tokens))
    for row, length in enumerate([3, 5]):
        alone = keras.ops.convert_to_numpy(apply(tokens[row:row + 1, :length]))
        if not np.allclose(padded[row], alone[0], rtol=1e-5, atol=1e-6):
            raise SystemExit(f"bidirectional_masked: row {row} depends on its padding")
    return {"inputs": _keras_inputs("tokens", tokens),
            "check": lambda inputs: keras.ops.convert_to_numpy(
                model(next(iter(inputs.values()))))}


def transformer_encoder(model_dir):
    """Keras 3 transformer encoder block over padded token ids, exported with
    `model.export(dir)`: int32 [None, 8] (0 = padding) -> token Embedding(20, 8)
    + position Embedding(8, 8) at positions cumsum(tokens != 0) - 1 (a Cumsum
    op) -> MultiHeadAttention(2 heads, key_dim 4) with the key padding mask
    (tokens != 0) -> residual + LayerNormalization -> Dense(16, exact gelu: Erfc)
    -> Dense(8) -> tanh-approximate gelu -> residual + LayerNormalization ->
    GlobalAveragePooling1D over the unpadded steps -> Dense(3).  The reference
    rows are padded to true lengths 5 and 7, and each row's output equals what
    the same layers give on the unpadded row alone."""
    keras = _keras3()
    ops = keras.ops
    normal = keras.initializers.RandomNormal(stddev=1.0)
    token_embed = keras.layers.Embedding(20, 8, embeddings_initializer=normal, name="token_embed")
    position_embed = keras.layers.Embedding(8, 8, embeddings_initializer=normal,
                                            name="position_embed")
    mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")
    norm1 = keras.layers.LayerNormalization(name="norm1")
    ff1 = keras.layers.Dense(16, activation="gelu", name="ff1")  # approximate=False
    ff2 = keras.layers.Dense(8, name="ff2")
    norm2 = keras.layers.LayerNormalization(name="norm2")
    pool = keras.layers.GlobalAveragePooling1D(name="pool")
    head = keras.layers.Dense(3, name="out")

    def apply(tokens):
        keep = ops.not_equal(tokens, 0)
        count = ops.cast(keep, "int32")
        positions = (ops.cumsum(count, axis=1) - 1) * count
        x = token_embed(tokens) + position_embed(positions)
        x = norm1(x + mha(x, x, attention_mask=ops.expand_dims(keep, 1)))
        x = norm2(x + ops.gelu(ff2(ff1(x)), approximate=True))
        return head(pool(x, mask=keep))

    inp = keras.Input(shape=(8,), dtype="int32", name="tokens")
    model = keras.Model(inp, apply(inp), name="transformer_encoder")
    model.export(model_dir, verbose=False)
    tokens = np.array([[3, 7, 1, 12, 5, 0, 0, 0], [9, 2, 14, 6, 11, 4, 18, 0]], dtype=np.int32)
    # The same layers over a variable-length input, to run each row unpadded.
    any_length = keras.Input(shape=(None,), dtype="int32")
    unpadded = keras.Model(any_length, apply(any_length))
    padded = keras.ops.convert_to_numpy(model(tokens))
    for row, length in enumerate([5, 7]):
        alone = keras.ops.convert_to_numpy(unpadded(tokens[row:row + 1, :length]))
        if not np.allclose(padded[row], alone[0], rtol=1e-4, atol=1e-5):
            raise SystemExit(f"transformer_encoder: row {row} depends on its padding")
    return {"inputs": _keras_inputs("tokens", tokens),
            "check": lambda inputs: keras.ops.convert_to_numpy(
                model(next(iter(inputs.values()))))}


def einsum_cumsum_module(model_dir):
    """Plain `tf.Module` with three signatures, saved with
    `tf.saved_model.save`.  `serving_default(a: f32 [None,1,3,4], b: f32
    [5,4,2], x: f32 [None,3,4], y: f32 [None,4,2], square: f32 [3,3])`:
    Einsum with "...ij,...jk->...ik" (ellipsis dims [None,1] and [5] broadcast
    to [None,5]), "bij,bjk->bik", "ij->ji", "ii->i" (diagonal) and
    "...d,d->..." against a variable.  `cumsum(x: f32 [None,6], ids: i32
    [None,6])`: Cumsum plain, exclusive, reverse, both, along axis 0, and on
    int32 with a negative axis.  `masking(x: f32 [None,6], lengths: i32
    [None])`: gelu exact (Erfc) and tanh-approximate, `tf.sequence_mask`
    (a bool output), `tf.where` with that mask, a masked mean, and
    `tf.boolean_mask` (Where + GatherV2, an output whose length depends on the
    data)."""
    tf = _tf()
    _seed_everything()

    class EinsumCumsum(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.random.normal([4], seed=1), name="w")

        @tf.function(input_signature=[
            tf.TensorSpec([None, 1, 3, 4], tf.float32, name="a"),
            tf.TensorSpec([5, 4, 2], tf.float32, name="b"),
            tf.TensorSpec([None, 3, 4], tf.float32, name="x"),
            tf.TensorSpec([None, 4, 2], tf.float32, name="y"),
            tf.TensorSpec([3, 3], tf.float32, name="square")])
        def einsum(self, a, b, x, y, square):
            return {"broadcast": tf.einsum("...ij,...jk->...ik", a, b),
                    "batched": tf.einsum("bij,bjk->bik", x, y),
                    "transposed": tf.einsum("ij->ji", square),
                    "diagonal": tf.einsum("ii->i", square),
                    "contracted": tf.einsum("...d,d->...", x, self.w)}

        @tf.function(input_signature=[
            tf.TensorSpec([None, 6], tf.float32, name="x"),
            tf.TensorSpec([None, 6], tf.int32, name="ids")])
        def cumsum(self, x, ids):
            return {"inclusive": tf.math.cumsum(x, axis=1),
                    "exclusive": tf.math.cumsum(x, axis=1, exclusive=True),
                    "reverse": tf.math.cumsum(x, axis=1, reverse=True),
                    "exclusive_reverse": tf.math.cumsum(x, axis=1, exclusive=True, reverse=True),
                    "down_batch": tf.math.cumsum(x, axis=0),
                    "ids_exclusive": tf.math.cumsum(ids, axis=-1, exclusive=True),
                    "ids_reverse": tf.math.cumsum(ids, axis=-1, reverse=True)}

        @tf.function(input_signature=[
            tf.TensorSpec([None, 6], tf.float32, name="x"),
            tf.TensorSpec([None], tf.int32, name="lengths")])
        def masking(self, x, lengths):
            exact = tf.nn.gelu(x, approximate=False)
            mask = tf.sequence_mask(lengths, maxlen=tf.shape(x)[1])
            masked = tf.where(mask, exact, tf.zeros_like(x))
            count = tf.maximum(tf.cast(lengths, tf.float32), 1.0)
            return {"gelu_exact": exact,
                    "gelu_tanh": tf.nn.gelu(x, approximate=True),
                    "mask": mask,
                    "masked": masked,
                    "masked_mean": tf.reduce_sum(masked, axis=1) / count,
                    "selected": tf.boolean_mask(x, mask)}

    module = EinsumCumsum()
    tf.saved_model.save(module, model_dir, signatures={
        "serving_default": module.einsum.get_concrete_function(),
        "cumsum": module.cumsum.get_concrete_function(),
        "masking": module.masking.get_concrete_function(),
    })
    rng = np.random.default_rng(SEED)

    def normal(*shape):
        return rng.normal(size=shape).astype(np.float32)

    x6 = normal(BATCH, 6) * 2
    inputs = {
        "serving_default": {"a": normal(BATCH, 1, 3, 4), "b": normal(5, 4, 2),
                            "x": normal(BATCH, 3, 4), "y": normal(BATCH, 4, 2),
                            "square": normal(3, 3)},
        "cumsum": {"x": x6, "ids": rng.integers(-5, 10, size=(BATCH, 6)).astype(np.int32)},
        "masking": {"x": x6, "lengths": np.array([4, 0], dtype=np.int32)},
    }
    expected = {
        name: {k: v.numpy() for k, v in fn(**inputs[name]).items()}
        for name, fn in [("serving_default", module.einsum), ("cumsum", module.cumsum),
                         ("masking", module.masking)]
    }
    return {"inputs": inputs, "expected": expected}


def op_families(model_dir):
    """`tf.Module` whose signatures use the op families issue 13 added, the way
    TensorFlow's own Python API writes them, saved with `tf.saved_model.save`.
    `ranking(x: f32 [None,6], ids: i32 [None,6])`: `tf.sort` both ways and
    `tf.argsort` (TopKV2 of the negation), `tf.math.top_k`, `tf.gather_nd`,
    `tf.scatter_nd`, `tf.tensor_scatter_nd_update`/`_max`, unsorted and sorted
    segment sums and maxima, `Bucketize`, `tf.unique` over a row, bitwise and
    truncating integer ops.  `images(image: f32 [None,6,8,4])`: `tf.image.resize`
    bilinear/nearest/bicubic/area (half-pixel centres) and the v1
    `align_corners` resizes, `tf.image.crop_and_resize`, depth/space
    rearrangements, `conv2d_transpose` with a variable filter, a grouped
    convolution and a dilated one-dimensional convolution written with
    `space_to_batch_nd`.  `control(x: f32 [None,5])`: `tf.vectorized_map` over
    a scalar `tf.where`, a `TensorArray(dynamic_size=True)` grown in a
    `tf.while_loop`, `tf.image.non_max_suppression` (V3) and its padded (V4)
    and soft (V5) forms, and special functions."""
    tf = _tf()
    _seed_everything()

    class OpFamilies(tf.Module):
        def __init__(self):
            super().__init__()
            self.transpose_filter = tf.Variable(tf.random.normal([3, 3, 2, 4], seed=2), name="transpose_filter")
            self.grouped_filter = tf.Variable(tf.random.normal([3, 3, 2, 6], seed=3), name="grouped_filter")
            self.line_filter = tf.Variable(tf.random.normal([3, 1, 4, 2], seed=4), name="line_filter")

        @tf.function(input_signature=[
            tf.TensorSpec([None, 6], tf.float32, name="x"),
            tf.TensorSpec([None, 6], tf.int32, name="ids")])
        def ranking(self, x, ids):
            top = tf.math.top_k(x, k=3)
            segments = tf.math.floormod(ids, 4)
            first = x[0]
            return {
                "sorted": tf.sort(x, axis=-1),
                "sorted_down": tf.sort(x, axis=-1, direction="DESCENDING"),
                "argsort": tf.argsort(ids, axis=-1, stable=True),
                "top_values": top.values, "top_indices": top.indices,
                "gathered": tf.gather_nd(x, tf.constant([[0, 5], [1, 0], [0, 0]])),
                "scattered": tf.scatter_nd(tf.constant([[1], [3], [1]]), first[:3], [6]),
                "updated": tf.tensor_scatter_nd_update(x, tf.constant([[0, 1], [1, 2]]), first[:2]),
                "maxed": tf.tensor_scatter_nd_max(x, tf.constant([[1]]), first[None, :]),
                "segment_sum": tf.math.unsorted_segment_sum(x, segments, 4),
                "segment_max": tf.math.unsorted_segment_max(x, segments, 5),
                "sorted_segment_sum": tf.math.segment_sum(first, tf.constant([0, 0, 1, 3, 3, 3])),
                "buckets": tf.raw_ops.Bucketize(input=x, boundaries=[-1.0, 0.0, 0.5, 2.0]),
                "unique": tf.unique(ids[0] % 3).y,
                "bits": tf.bitwise.bitwise_xor(ids, tf.bitwise.left_shift(ids, 2)),
                "shifted": tf.bitwise.right_shift(ids, 1),
                "truncated": tf.truncatediv(ids, 3) + tf.truncatemod(ids, 3),
            }

        @tf.function(input_signature=[tf.TensorSpec([None, 6, 8, 4], tf.float32, name="image")])
        def images(self, image):
            batch = tf.shape(image)[0]
            boxes = tf.constant([[0.0, 0.0, 1.0, 1.0], [0.1, 0.2, 0.7, 0.9], [-0.2, 0.5, 0.4, 1.3]])
            grouped = tf.nn.conv2d(image, self.grouped_filter, strides=1, padding="SAME")
            line = tf.reshape(image[:, :, 0, :], [-1, 6, 1, 4])
            spaced = tf.space_to_batch_nd(tf.reshape(line, [-1, 6, 4]), [2], [[2, 0]])
            dilated = tf.nn.conv2d(tf.reshape(spaced, [-1, 4, 1, 4]), self.line_filter, strides=1, padding="VALID")
            return {
                "bilinear": tf.image.resize(image, [9, 5], method="bilinear"),
                "nearest": tf.image.resize(image, [4, 11], method="nearest"),
                "bicubic": tf.image.resize(image, [7, 7], method="bicubic"),
                "area": tf.image.resize(image, [3, 4], method="area"),
                "aligned": tf.compat.v1.image.resize_bilinear(image, [5, 5], align_corners=True),
                "aligned_nearest": tf.compat.v1.image.resize_nearest_neighbor(image, [11, 3], align_corners=True),
                "crops": tf.image.crop_and_resize(image, boxes, tf.zeros([3], tf.int32), [3, 4]),
                "depth": tf.nn.depth_to_space(tf.nn.space_to_depth(image, 2), 2) - image
                + tf.reduce_mean(tf.nn.space_to_depth(image, 2)),
                "transposed": tf.nn.conv2d_transpose(
                    image[..., :4], tf.tile(self.transpose_filter, [1, 1, 1, 1]),
                    tf.stack([batch, 12, 16, 2]), strides=2, padding="SAME"),
                "grouped": grouped,
                "dilated": tf.batch_to_space(tf.reshape(dilated, [-1, 2, 2]), [2], [[0, 0]]),
            }

        @tf.function(input_signature=[tf.TensorSpec([None, 5], tf.float32, name="x")])
        def control(self, x):
            flipped = tf.vectorized_map(lambda row: tf.where(row[0] > 0, row, -row), x)
            count = tf.shape(x)[1]
            array = tf.TensorArray(tf.float32, size=0, dynamic_size=True)

            def body(i, array):
                return i + 1, array.write(i, tf.reduce_sum(x[:, : i + 1], axis=1))

            _, array = tf.while_loop(lambda i, _: i < count, body, [tf.constant(0), array])
            boxes = tf.concat([x[0, :4][None], tf.abs(x[:, :4]), tf.abs(x[:, 1:5]) * 0.5], axis=0)
            scores = tf.concat([[0.95], tf.sigmoid(x[:, 0]), tf.sigmoid(x[:, 4])], axis=0)
            hard = tf.image.non_max_suppression(boxes, scores, 3, iou_threshold=0.3)
            padded = tf.image.non_max_suppression_padded(boxes, scores, 6, iou_threshold=0.3, pad_to_max_output_size=True)
            soft = tf.image.non_max_suppression_with_scores(boxes, scores, 4, soft_nms_sigma=0.5)
            probabilities = tf.sigmoid(x)
            return {
                "flipped": flipped,
                "prefix_sums": array.stack(),
                "nms": hard, "nms_padded": padded[0], "nms_valid": padded[1],
                "soft_indices": soft[0], "soft_scores": soft[1],
                "special": tf.math.lgamma(tf.abs(x) + 0.5) + tf.math.digamma(tf.abs(x) + 0.5)
                + tf.math.erfinv(probabilities * 1.8 - 0.9) + tf.math.atan2(x, probabilities)
                + tf.math.xlogy(x, probabilities) + tf.math.softsign(x) + tf.cos(x) * tf.sinh(x),
                "finite": tf.math.is_finite(tf.math.log(x)),
            }

    module = OpFamilies()
    tf.saved_model.save(module, model_dir, signatures={
        "ranking": module.ranking.get_concrete_function(),
        "images": module.images.get_concrete_function(),
        "control": module.control.get_concrete_function(),
    })
    rng = np.random.default_rng(SEED)
    inputs = {
        "ranking": {"x": np.round(rng.normal(size=(BATCH, 6)) * 4).astype(np.float32) / 4,
                    "ids": rng.integers(-20, 20, size=(BATCH, 6)).astype(np.int32)},
        "images": {"image": rng.normal(size=(BATCH, 6, 8, 4)).astype(np.float32)},
        "control": {"x": rng.normal(size=(BATCH, 5)).astype(np.float32)},
    }
    expected = {
        name: {k: v.numpy() for k, v in fn(**inputs[name]).items()}
        for name, fn in [("ranking", module.ranking), ("images", module.images), ("control", module.control)]
    }
    return {"inputs": inputs, "expected": expected}


def volumetric(model_dir):
    """`tf.Module` with one signature over a video-like volume, `volume(x: f32
    [None,5,6,7,4])`: `tf.nn.conv3d` SAME and strided VALID (TensorFlow's CPU kernel refuses dilations), `max_pool3d`
    and `avg_pool3d` SAME and VALID (the SAME ones with windows over the border),
    and `conv3d_transpose` (Conv3DBackpropInputV2) strided SAME and VALID, with
    variable filters."""
    tf = _tf()
    _seed_everything()

    class Volumetric(tf.Module):
        def __init__(self):
            super().__init__()
            self.same = tf.Variable(tf.random.normal([3, 3, 3, 4, 5], seed=11), name="same")
            self.strided = tf.Variable(tf.random.normal([2, 3, 2, 4, 3], seed=12), name="strided")
            self.up = tf.Variable(tf.random.normal([2, 3, 3, 6, 4], seed=14), name="up")
            self.grown = tf.Variable(tf.random.normal([3, 2, 2, 3, 4], seed=15), name="grown")

        @tf.function(input_signature=[tf.TensorSpec([None, 5, 6, 7, 4], tf.float32, name="x")])
        def volume(self, x):
            batch = tf.shape(x)[0]
            return {
                "conv_same": tf.nn.conv3d(x, self.same, [1, 1, 1, 1, 1], "SAME"),
                "conv_strided": tf.nn.conv3d(x, self.strided, [1, 2, 1, 3, 1], "VALID"),
                "max_same": tf.nn.max_pool3d(x, [1, 2, 3, 2, 1], [1, 2, 2, 1, 1], "SAME"),
                "max_valid": tf.nn.max_pool3d(x, [1, 3, 3, 3, 1], [1, 2, 2, 2, 1], "VALID"),
                "avg_same": tf.nn.avg_pool3d(x, [1, 3, 3, 3, 1], [1, 2, 2, 2, 1], "SAME"),
                "avg_valid": tf.nn.avg_pool3d(x, [1, 2, 2, 2, 1], [1, 1, 2, 1, 1], "VALID"),
                "transposed": tf.nn.conv3d_transpose(
                    x, self.up, tf.stack([batch, 10, 12, 14, 6]), [1, 2, 2, 2, 1], "SAME"),
                "transposed_valid": tf.nn.conv3d_transpose(
                    x, self.grown, tf.stack([batch, 7, 7, 8, 3]), [1, 1, 1, 1, 1], "VALID"),
            }

    module = Volumetric()
    tf.saved_model.save(module, model_dir, signatures={"volume": module.volume.get_concrete_function()})
    rng = np.random.default_rng(SEED)
    inputs = {"volume": {"x": rng.normal(size=(BATCH, 5, 6, 7, 4)).astype(np.float32)}}
    expected = {"volume": {k: v.numpy() for k, v in module.volume(**inputs["volume"]).items()}}
    return {"inputs": inputs, "expected": expected}


def audio_frontend(model_dir):
    """`tf.Module` with two signatures over `tf.signal`, the way an audio model's front end
    is written. `features(waveform: f32 [None,2000])`: `tf.signal.stft` (frame 256, step 128,
    fft 256, Hann window: RFFT), its complex64 output, the magnitude (ComplexAbs), a mel
    weight matrix, log, and `mfccs_from_log_mel_spectrograms` (a DCT-II through RFFT, Complex,
    Exp, Mul and Real), plus `tf.math.angle` and a conj/real/imag combination.
    `resynthesis(waveform, coefficients: f32 [None,20])`: `tf.signal.inverse_stft` of the
    stft with the inverse window (IRFFT), an rfft/irfft round trip of odd length (crop to 1999
    points), `tf.signal.dct` types 2 and 3 and `idct`, and 2-D FFTs (fft2d, ifft2d,
    rfft2d/irfft2d)."""
    tf = _tf()
    _seed_everything()

    class AudioFrontend(tf.Module):
        def __init__(self):
            super().__init__()
            self.mel = tf.signal.linear_to_mel_weight_matrix(
                num_mel_bins=24, num_spectrogram_bins=129, sample_rate=8000,
                lower_edge_hertz=40.0, upper_edge_hertz=3800.0)

        @tf.function(input_signature=[tf.TensorSpec([None, 2000], tf.float32, name="waveform")])
        def features(self, waveform):
            stft = tf.signal.stft(waveform, frame_length=256, frame_step=128, fft_length=256,
                                  window_fn=tf.signal.hann_window)
            magnitude = tf.abs(stft)
            mel = tf.tensordot(magnitude, self.mel, 1)
            log_mel = tf.math.log(mel + 1e-3)
            mfcc = tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :13]
            twisted = tf.math.conj(stft) * tf.complex(1.0, -0.5)
            return {"stft": stft, "magnitude": magnitude, "log_mel": log_mel, "mfcc": mfcc,
                    "phase": tf.math.angle(stft[:, :, 1:-1]),
                    "mixed": tf.math.real(twisted) - 2.0 * tf.math.imag(twisted)}

        @tf.function(input_signature=[tf.TensorSpec([None, 2000], tf.float32, name="waveform"),
                                      tf.TensorSpec([None, 20], tf.float32, name="coefficients")])
        def resynthesis(self, waveform, coefficients):
            stft = tf.signal.stft(waveform, frame_length=256, frame_step=64, fft_length=256)
            inverse = tf.signal.inverse_stft(
                stft, frame_length=256, frame_step=64, fft_length=256,
                window_fn=tf.signal.inverse_stft_window_fn(64))
            spectrum = tf.signal.rfft(waveform, fft_length=[1999])
            blocks = tf.reshape(waveform[:, :1680], [-1, 40, 42])
            return {"inverse_stft": inverse,
                    "irfft": tf.signal.irfft(spectrum * tf.complex(0.5, 0.25), fft_length=[1999]),
                    "dct2": tf.signal.dct(coefficients, type=2, norm="ortho"),
                    "dct3": tf.signal.dct(coefficients, type=3),
                    "idct": tf.signal.idct(coefficients, type=2, norm="ortho"),
                    "fft2d": tf.signal.fft2d(tf.cast(blocks, tf.complex64)),
                    "ifft2d_real": tf.math.real(tf.signal.ifft2d(tf.complex(blocks, -blocks))),
                    "rfft2d_round_trip": tf.signal.irfft2d(tf.signal.rfft2d(blocks))}

    module = AudioFrontend()
    tf.saved_model.save(module, model_dir, signatures={
        "features": module.features.get_concrete_function(),
        "resynthesis": module.resynthesis.get_concrete_function()})
    rng = np.random.default_rng(SEED)
    waveform = (rng.normal(size=(BATCH, 2000)) * 0.5).astype(np.float32)
    coefficients = rng.normal(size=(BATCH, 20)).astype(np.float32)
    inputs = {"features": {"waveform": waveform},
              "resynthesis": {"waveform": waveform, "coefficients": coefficients}}
    expected = {name: {k: v.numpy() for k, v in getattr(module, name)(**inputs[name]).items()}
                for name in inputs}
    return {"inputs": inputs, "expected": expected}


def string_lookup(model_dir):
    """`tf.Module` with a `tf.lookup.StaticHashTable` initialized from a
    `tf.lookup.TextFileInitializer` vocabulary file, which TensorFlow copies
    into model/assets/vocab.txt.  Signature
    `serving_default(words: string [None]) -> {ids: int64 [None]}`, unknown
    words map to -1.  Covers assets, HashTableV2,
    InitializeTableFromTextFileV2, LookupTableFindV2 and the init op."""
    tf = _tf()
    with tempfile.TemporaryDirectory() as tmp:
        vocab = _write_vocab(tmp, WORDS)

        class Lookup(tf.Module):
            def __init__(self):
                super().__init__()
                self.table = tf.lookup.StaticHashTable(
                    tf.lookup.TextFileInitializer(
                        vocab, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                        tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
                    default_value=-1)

            @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="words")])
            def __call__(self, words):
                return {"ids": self.table.lookup(words)}

        module = Lookup()
        tf.saved_model.save(module, model_dir, signatures={
            "serving_default": module.__call__.get_concrete_function()})
    if os.listdir(os.path.join(model_dir, "assets")) != ["vocab.txt"]:
        raise SystemExit("string_lookup: model/assets/vocab.txt missing")
    words = _strings([b"fox", b"unicorn"])
    return {"inputs": {"serving_default": {"words": words}},
            "expected": {"serving_default": {"ids": np.array([3, -1], dtype=np.int64)}}}


def text_vectorization(model_dir):
    """Keras 3 `TextVectorization(vocabulary=<file path>, output_sequence_length=6)`
    exported with `model.export(dir)`: string input [None, 1] -> int64 token ids
    [None, 6] (lower-casing, punctuation stripping, whitespace split, padding,
    OOV = 1).  The vocabulary file ends up in model/assets/."""
    keras = _keras3()
    with tempfile.TemporaryDirectory() as tmp:
        vocab = _write_vocab(tmp, WORDS)
        inp = keras.Input(shape=(1,), dtype="string", name="text")
        out = keras.layers.TextVectorization(
            vocabulary=vocab, output_sequence_length=6, name="vectorize")(inp)
        model = keras.Model(inp, out, name="text_vectorization")
        model.export(model_dir, verbose=False)
    assets = os.path.join(model_dir, "assets")
    if not os.path.isdir(assets) or not os.listdir(assets):
        raise SystemExit("text_vectorization: model/assets/ has no vocabulary file")
    text = _strings([[b"The quick brown fox!"], [b"A lazy DOG jumps over the moon"]])
    return {"inputs": {"serve": {"text": text}, "serving_default": {"text": text}},
            "check": lambda inputs: keras.ops.convert_to_numpy(
                model(next(iter(inputs.values()))))}


def text_vectorization_bags(model_dir):
    """Keras 3 `TextVectorization` layers exported with `model.export(dir)`:
    string input [None, 1] -> `multi_hot` and `count` (vocabulary file) and
    `tf_idf` (vocabulary list, IDF weights) bags of words (float32
    [None, vocabulary + 1], index 0 = OOV), which TensorFlow computes with
    DenseBincount on the looked-up token ids."""
    keras = _keras3()
    with tempfile.TemporaryDirectory() as tmp:
        vocab = _write_vocab(tmp, WORDS)
        inp = keras.Input(shape=(1,), dtype="string", name="text")
        outputs = [
            keras.layers.TextVectorization(vocabulary=vocab, output_mode="multi_hot", name="multi_hot")(inp),
            keras.layers.TextVectorization(vocabulary=vocab, output_mode="count", name="count")(inp),
            keras.layers.TextVectorization(  # tf_idf takes its vocabulary as a list only
                vocabulary=[w.decode() for w in WORDS], output_mode="tf_idf", name="tf_idf",
                idf_weights=[0.5 + 0.25 * i for i in range(len(WORDS))])(inp),
        ]
        model = keras.Model(inp, outputs, name="text_vectorization_bags")
        model.export(model_dir, verbose=False)
        text = _strings([[b"The quick brown fox! The fox."], [b"a lazy dog, the DOG and the moon"]])
        expected = {f"output_{i}": keras.ops.convert_to_numpy(out)
                    for i, out in enumerate(model(text))}
    return {"inputs": {"serve": {"text": text}, "serving_default": {"text": text}},
            "expected": {"serve": expected, "serving_default": expected}}


def string_ops(model_dir):
    """`tf.Module` exercising every string and table op the inference core
    implements, one signature per family, so each is checked against TensorFlow:
    `text` (StringLower/Upper ASCII and utf-8, StringSplitV2 on whitespace and
    on a separator with maxsplit, StaticRegexReplace global and first,
    RegexReplace with a pattern tensor, StaticRegexFullMatch, StringJoin with a
    scalar, Substr in bytes and characters, StringLength, StringToHashBucketFast),
    `numbers` (AsString with precision, scientific, shortest, width and fill, on
    float, int64 and bool), `parse` (StringToNumber to float32/float64/int32/
    int64), `tables` (HashTableV2 from KeyValueTensorInitializer with string,
    int64, int32 and double keys or values; from two asset files, one a tab-
    separated CRLF file without final newline; a MutableHashTableV2 restored
    from the checkpoint with LookupTableImportV2; sizes and an export) and
    `ragged` (RaggedTensorToTensor from row splits with truncation,
    DenseBincount 1-D/2-D/weighted/binary, Cumsum)."""
    tf = _tf()
    with tempfile.TemporaryDirectory() as tmp:
        vocab = _write_vocab(tmp, WORDS)
        counts = os.path.join(tmp, "counts.tsv")
        with open(counts, "wb") as f:
            f.write(b"the\t10\r\nfox\t3\r\ndog\t7")

        class StringOps(tf.Module):
            def __init__(self):
                super().__init__()
                self.words = tf.lookup.StaticHashTable(
                    tf.lookup.KeyValueTensorInitializer(
                        tf.constant([b"fox", b"dog", b"\xc3\xa9t\xc3\xa9"]),
                        tf.constant([7, 8, 9], tf.int64)), default_value=-1)
                self.names = tf.lookup.StaticHashTable(
                    tf.lookup.KeyValueTensorInitializer(
                        tf.constant([1, 2, 3], tf.int64), tf.constant([b"one", b"two", b"three"])),
                    default_value=b"?")
                self.scores = tf.lookup.StaticHashTable(
                    tf.lookup.KeyValueTensorInitializer(
                        tf.constant([1, 3], tf.int32), tf.constant([0.5, 0.25], tf.float64)),
                    default_value=-1.0)
                self.vocab = tf.lookup.StaticHashTable(
                    tf.lookup.TextFileInitializer(
                        vocab, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                        tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER, value_index_offset=2),
                    default_value=1)
                self.counts = tf.lookup.StaticHashTable(
                    tf.lookup.TextFileInitializer(counts, tf.string, 0, tf.int64, 1, delimiter="\t"),
                    default_value=0)
                self.seen = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, default_value=-1)
                self.seen.insert(tf.constant([b"quick", b"lazy", b"jumps"]), tf.constant([1, 2, 3], tf.int64))

            @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
            def text(self, text):
                upper = tf.strings.upper(text, encoding="utf-8")
                split = tf.raw_ops.StringSplitV2(input=text, sep="")
                comma = tf.raw_ops.StringSplitV2(input=text, sep=",", maxsplit=1)
                punctuation = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
                return {
                    "lower": tf.strings.lower(text),
                    "lower_utf8": tf.strings.lower(text, encoding="utf-8"),
                    "upper_utf8": upper,
                    "upper_ascii": tf.strings.upper(text),
                    "split_indices": split.indices, "split_values": split.values, "split_shape": split.shape,
                    "comma_indices": comma.indices, "comma_values": comma.values, "comma_shape": comma.shape,
                    "swapped": tf.strings.regex_replace(text, r"(\w+)@(\w+)", r"\2 at \1"),
                    "first_vowel": tf.strings.regex_replace(text, "[aeiouAEIOU]", "*", replace_global=False),
                    "no_punctuation": tf.strings.regex_replace(text, punctuation, ""),
                    "words_only": tf.strings.regex_replace(text, tf.constant(r"\P{L}+"), tf.constant(" ")),
                    "empty_matches": tf.strings.regex_replace(text, "x*", "-"),
                    "is_lower": tf.strings.regex_full_match(text, r"[a-z ]+(?:@[a-z]+)?"),
                    "joined": tf.strings.join([text, "|", upper], separator="~"),
                    "bytes_1_3": tf.strings.substr(text, 1, 3),
                    "chars_last_2": tf.strings.substr(text, -3, 2, unit="UTF8_CHAR"),
                    "length": tf.strings.length(text),
                    "length_chars": tf.strings.length(text, unit="UTF8_CHAR"),
                    "bucket": tf.strings.to_hash_bucket_fast(text, 97),
                }

            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x"),
                                          tf.TensorSpec([None], tf.int64, name="n")])
            def numbers(self, x, n):
                return {
                    "plain": tf.strings.as_string(x),
                    "precision": tf.strings.as_string(x, precision=2),
                    "scientific": tf.strings.as_string(x, precision=3, scientific=True),
                    "shortest": tf.strings.as_string(x, shortest=True),
                    "padded": tf.strings.as_string(x, width=12, fill="0", precision=1),
                    "signed": tf.strings.as_string(x, width=10, fill="+"),
                    "integers": tf.strings.as_string(n, width=6, fill="-"),
                    "zero_padded": tf.strings.as_string(n, width=6, fill="0"),
                    "flags": tf.strings.as_string(x > 0),
                }

            @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="reals"),
                                          tf.TensorSpec([None], tf.string, name="integers")])
            def parse(self, reals, integers):
                return {
                    "float32": tf.strings.to_number(reals, tf.float32),
                    "float64": tf.strings.to_number(reals, tf.float64),
                    "int32": tf.strings.to_number(integers, tf.int32),
                    "int64": tf.strings.to_number(integers, tf.int64),
                }

            @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="words"),
                                          tf.TensorSpec([None], tf.int64, name="ids")])
            def tables(self, words, ids):
                _, exported = self.seen.export()
                return {
                    "word_ids": self.words.lookup(words),
                    "names": self.names.lookup(ids),
                    "scores": self.scores.lookup(tf.cast(ids, tf.int32)),
                    "vocab_ids": self.vocab.lookup(words),
                    "counts": self.counts.lookup(words),
                    "seen": self.seen.lookup(words),
                    "sizes": tf.stack([self.words.size(), self.vocab.size(), self.counts.size(), self.seen.size()]),
                    "seen_total": tf.reduce_sum(exported),
                }

            @tf.function(input_signature=[tf.TensorSpec([None], tf.int64, name="values"),
                                          tf.TensorSpec([None], tf.int64, name="row_splits")])
            def ragged(self, values, row_splits):
                rt = tf.RaggedTensor.from_row_splits(values, row_splits, validate=False)
                ids = tf.cast(values, tf.int32)
                pairs = tf.reshape(ids[:4], [2, 2])
                return {
                    "dense": rt.to_tensor(default_value=-1),
                    "truncated": rt.to_tensor(default_value=-1, shape=[None, 2]),
                    "counts": tf.raw_ops.DenseBincount(input=ids, size=6, weights=tf.constant([], tf.int64)),
                    "weighted": tf.raw_ops.DenseBincount(input=ids, size=6, weights=tf.cast(values, tf.float32) / 4),
                    "binary_rows": tf.raw_ops.DenseBincount(input=pairs, size=6, weights=tf.constant([], tf.float32),
                                                            binary_output=True),
                    "cumsum": tf.math.cumsum(values, exclusive=True, reverse=True),
                }

        module = StringOps()
        signatures = {name: getattr(module, name).get_concrete_function()
                      for name in ["text", "numbers", "parse", "tables", "ragged"]}
        signatures["serving_default"] = signatures["text"]
        tf.saved_model.save(module, model_dir, signatures=signatures)
        inputs = {
            "text": {"text": _strings([b"Hello, World! user@host", b"  \xc3\x89COLE  na\xc3\xafve \xce\x9f\xce\x94\xce\x9f\xce\xa3 a,b,,c ",
                                       b"xx lower case@words"])},
            "numbers": {"x": np.array([3.14159, -0.5, 1e10, np.nan, -np.inf, 0.0, 1e-7], np.float32),
                        "n": np.array([7, -42, 123456789, 0, -1, 5, 9223372036854775807], np.int64)},
            "parse": {"reals": _strings([b" 1.5 ", b"-inf", b"1e39", b"0x1p3", b"+7"]),
                      "integers": _strings([b"42", b" -7 ", b"+5", b"007", b"-2147483648"])},
            "tables": {"words": _strings([b"fox", b"dog", b"the", b"\xc3\xa9t\xc3\xa9", b"unicorn", b"lazy"]),
                       "ids": np.array([1, 3, 2, 4, 0, 2], np.int64)},
            "ragged": {"values": np.array([1, 2, 3, 4, 5, 2, 2], np.int64),
                       "row_splits": np.array([0, 3, 3, 7], np.int64)},
        }
        inputs["serving_default"] = inputs["text"]
        expected = {}
        for name, feeds in inputs.items():
            function = getattr(module, "text" if name == "serving_default" else name)
            result = function(**{k: tf.constant(v) for k, v in feeds.items()})
            expected[name] = {k: _to_npy_array(v.numpy()) for k, v in result.items()}
    assets = sorted(os.listdir(os.path.join(model_dir, "assets")))
    if assets != ["counts.tsv", "vocab.txt"]:
        raise SystemExit(f"string_ops: unexpected assets {assets}")
    return {"inputs": inputs, "expected": expected}


def _encode_varint(value):
    """Protobuf's base-128 varint of a non-negative integer (a negative int64 as its 2^64 complement)."""
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number, payload):
    """A length-delimited protobuf field."""
    return _encode_varint((number << 3) | 2) + _encode_varint(len(payload)) + payload


def _unpacked_example(floats, ints):
    """A serialized tf.Example written by hand with *unpacked* FloatList and Int64List values
    (legal protobuf that TensorFlow's Python never writes, since feature.proto is proto3 and packs
    them): feature "x" as floats, "tags" as int64s."""
    import struct
    float_list = b"".join(b"\x0d" + struct.pack("<f", v) for v in floats)
    int_list = b"".join(b"\x08" + _encode_varint(v) for v in ints)
    entries = [(b"x", _field(2, float_list)), (b"tags", _field(3, int_list))]
    features = b"".join(_field(1, _field(1, key) + _field(2, feature)) for key, feature in entries)
    return _field(1, features)


def example_classifier(model_dir):
    """TF1 graph (tf.compat.v1, `VariableV2`) that parses serialized tf.Example protos with
    `tf.compat.v1.io.parse_example` (the `ParseExampleV2` op): `x` float [4] (required), `age`
    int64 (default 30), `color` string (default "none"), `tags` a VarLenFeature of int64s (sparse)
    and `history` a FixedLenSequenceFeature float [2] (variable-length dense, padded with -1).
    The features feed a seeded linear layer; saved by `tf.compat.v1.saved_model.Builder` with
    TensorFlow Serving's signatures over one input of serialized examples: `classify`
    (classification_signature_def: `classes` string [batch, 3], `scores` float [batch, 3]),
    `regress` (regression_signature_def: `outputs` float [batch, 1]) and `serving_default`
    (predict: the scores and every parsed tensor, so each is compared exactly). The reference
    records leave out defaulted features, include a context Example's bytes followed by a
    record's (TensorFlow Serving's ExampleListWithContext: the record's features win), a record
    with unpacked float and int64 lists, and a duplicated map key (the last one counts)."""
    tf = _tf()
    v1 = tf.compat.v1
    rng = np.random.default_rng(SEED)
    weights = rng.normal(size=(12, 3)).astype(np.float32)
    bias = np.array([0.1, -0.2, 0.05], dtype=np.float32)
    regression = rng.normal(size=(3, 1)).astype(np.float32)

    def example(**features):
        proto = tf.train.Example()
        for key, value in features.items():
            feature = proto.features.feature[key]
            if isinstance(value[0], bytes):
                feature.bytes_list.value.extend(value)
            elif isinstance(value[0], float):
                feature.float_list.value.extend(value)
            else:
                feature.int64_list.value.extend(value)
        return proto.SerializeToString()

    context = example(color=[b"blue"], age=[50], tags=[9])
    duplicated = (_field(1, _field(1, _field(1, b"age") + _field(2, _field(3, _field(1, _encode_varint(1)))))
                             + _field(1, _field(1, b"age") + _field(2, _field(3, _field(1, _encode_varint(7)))))
                             + _field(1, _field(1, b"x") + _field(2, _field(2, _field(1, np.array(
                                 [1.5, -2.5, 0.25, 4.0], np.float32).tobytes()))))))
    records = [
        example(x=[0.5, -1.0, 2.0, 0.25], age=[42], color=[b"red"], tags=[3, 1, 4],
                history=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        example(x=[1.0, 2.0, 3.0, 4.0]),
        context + example(x=[-0.5, 0.5, -1.5, 1.5], age=[20], history=[0.5, -0.5]),
        _unpacked_example([0.125, 8.0, -3.0, 1.0], [-2, 6]),
        duplicated,
    ]
    for record in records:
        # npy 'S' arrays drop trailing NULs: a record must not end with one.
        if record.endswith(b"\x00"):
            raise SystemExit("example_classifier: a reference record ends with a NUL byte")
    examples_in = np.array(records, dtype="S")

    graph = tf.Graph()
    with graph.as_default(), v1.Session(graph=graph) as sess:
        serialized = v1.placeholder(tf.string, [None], name="tf_example")
        parsed = v1.io.parse_example(serialized, {
            "x": v1.io.FixedLenFeature([4], tf.float32),
            "age": v1.io.FixedLenFeature([], tf.int64, default_value=30),
            "color": v1.io.FixedLenFeature([], tf.string, default_value="none"),
            "tags": v1.io.VarLenFeature(tf.int64),
            "history": v1.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True, default_value=-1.0),
        })
        ops = {op.type for op in graph.get_operations()}
        if "ParseExampleV2" not in ops:
            raise SystemExit(f"example_classifier: expected ParseExampleV2, got {sorted(ops)}")
        batch = tf.shape(serialized)[0]
        tags = parsed["tags"]
        tag_sum = tf.math.unsorted_segment_sum(tf.cast(tags.values, tf.float32), tags.indices[:, 0], batch)
        widest = tf.fill([batch], tf.cast(tags.dense_shape[1], tf.float32))
        color = tf.one_hot(tf.strings.to_hash_bucket_fast(parsed["color"], 3), 3)
        history = tf.reduce_sum(parsed["history"], axis=1)
        age = tf.cast(parsed["age"], tf.float32) / 100.0
        inputs = tf.concat([parsed["x"], age[:, None], color, tag_sum[:, None], widest[:, None], history], axis=1)
        w = v1.Variable(weights, name="w", use_resource=False)
        b = v1.Variable(bias, name="b", use_resource=False)
        r = v1.Variable(regression, name="r", use_resource=False)
        logits = tf.matmul(inputs, w) + b
        scores = tf.nn.softmax(logits, name="scores")
        classes = tf.tile(tf.constant([[b"cat", b"dog", b"bird"]]), tf.stack([batch, 1]), name="classes")
        prediction = tf.matmul(logits, r, name="prediction")
        sess.run(v1.global_variables_initializer())
        signatures = v1.saved_model.signature_def_utils
        predict_outputs = {
            "scores": scores, "prediction": prediction, "x": parsed["x"], "age": parsed["age"],
            "color": parsed["color"], "history": parsed["history"], "tags_indices": tags.indices,
            "tags_values": tags.values, "tags_shape": tags.dense_shape,
        }
        signature_map = {
            "classify": signatures.classification_signature_def(serialized, classes, scores),
            "regress": signatures.regression_signature_def(serialized, prediction),
            "serving_default": signatures.predict_signature_def(
                inputs={"examples": serialized}, outputs=predict_outputs),
        }
        feed = {serialized: examples_in}
        classify = dict(zip(["classes", "scores"], sess.run([classes, scores], feed)))
        regress = {"outputs": sess.run(prediction, feed)}
        predict = dict(zip(predict_outputs, sess.run(list(predict_outputs.values()), feed)))
        builder = v1.saved_model.Builder(model_dir)
        builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map=signature_map)
        builder.save()
    expected = {"classify": classify, "regress": regress, "serving_default": predict}
    expected = {sig: {k: _to_npy_array(v) for k, v in named.items()} for sig, named in expected.items()}
    if predict["age"].tolist() != [42, 30, 20, 30, 7] or predict["color"].tolist() != [b"red", b"none", b"blue",
                                                                                        b"none", b"none"]:
        raise SystemExit(f"example_classifier: unexpected parse {predict['age']} {predict['color']}")
    inputs = {"classify": {"inputs": examples_in}, "regress": {"inputs": examples_in},
              "serving_default": {"examples": examples_in}}
    return {"inputs": inputs, "expected": expected}


def random_text_ops(model_dir):
    """`tf.Module` whose signatures use the stateless random ops and the text ops issue 13 added
    last, as TensorFlow's Python API writes them. `random(seed: i64 [2], logits: f32 [None,4])`:
    `tf.random.stateless_uniform` (float32, and int64 over the full range), `stateless_normal`
    (float64), `stateless_truncated_normal` (float16, an odd count), `stateless_categorical`, and
    `tf.random.experimental.stateless_split` (V2 ops behind `StatelessRandomGetKeyCounter`).
    `text(words: string [None], row_splits: i64 [None], starts: i32 [None], limits: i32 [None])`:
    `tf.strings.ngrams` over a ragged batch (with padding, and plain bigrams and trigrams),
    `tf.strings.to_hash_bucket_strong` and Keras's `Hashing(salt=…)`, and `tf.ragged.range`.
    Outputs must match exactly, floats included (the tests compare bits)."""
    tf = _tf()
    _seed_everything()
    import keras

    hashing = keras.layers.Hashing(num_bins=11, salt=[7, 2024])

    class RandomTextOps(tf.Module):
        @tf.function(input_signature=[
            tf.TensorSpec([2], tf.int64, name="seed"),
            tf.TensorSpec([None, 4], tf.float32, name="logits")])
        def random(self, seed, logits):
            split = tf.random.experimental.stateless_split(seed, num=2)
            return {
                "uniform": tf.random.stateless_uniform([3, 5], seed=seed, minval=-1.0, maxval=3.0),
                "normal": tf.random.stateless_normal([7], seed=split[0], dtype=tf.float64),
                "truncated": tf.random.stateless_truncated_normal([5], seed=split[1], dtype=tf.float16),
                "integers": tf.random.stateless_uniform([6], seed=seed, minval=-(2**63), maxval=2**63 - 1,
                                                        dtype=tf.int64),
                "small_integers": tf.random.stateless_uniform([9], seed=seed, minval=-3, maxval=4, dtype=tf.int32),
                "categorical": tf.random.stateless_categorical(logits, 6, seed=seed),
            }

        @tf.function(input_signature=[
            tf.TensorSpec([None], tf.string, name="words"),
            tf.TensorSpec([None], tf.int64, name="row_splits"),
            tf.TensorSpec([None], tf.int32, name="starts"),
            tf.TensorSpec([None], tf.int32, name="limits")])
        def text(self, words, row_splits, starts, limits):
            rows = tf.RaggedTensor.from_row_splits(words, row_splits, validate=False)
            padded = tf.strings.ngrams(rows, [1, 3], separator="+", pad_values=("<s>", "</s>"), padding_width=1)
            bigrams = tf.strings.ngrams(rows, 2, preserve_short_sequences=True)
            ranges = tf.ragged.range(starts, limits, 2)
            return {
                "padded_values": padded.flat_values, "padded_splits": padded.row_splits,
                "bigram_values": bigrams.flat_values, "bigram_splits": bigrams.row_splits,
                "strong": tf.strings.to_hash_bucket_strong(words, 97, [1, 2]),
                "salted": hashing(words),
                "range_values": ranges.flat_values, "range_splits": ranges.row_splits,
            }

    module = RandomTextOps()
    tf.saved_model.save(module, model_dir, signatures={
        "random": module.random.get_concrete_function(),
        "text": module.text.get_concrete_function(),
    })
    rng = np.random.default_rng(SEED)
    inputs = {
        "random": {"seed": np.array([-3, 2**40 + 7], np.int64),
                   "logits": rng.normal(size=(BATCH, 4)).astype(np.float32)},
        "text": {"words": np.array(["the", "quick", "Caf\u00e9".encode(), b"", "\u6771\u4eac".encode(), b"fox",
                                    b"dog"], dtype="S"),
                 "row_splits": np.array([0, 3, 3, 4, 7], np.int64),
                 "starts": np.array([0, 5, -4], np.int32), "limits": np.array([7, 0, 3], np.int32)},
    }
    expected = {}
    for name in ["random", "text"]:
        result = getattr(module, name)(**{k: tf.constant(v) for k, v in inputs[name].items()})
        expected[name] = {k: _to_npy_array(v.numpy()) for k, v in result.items()}
    return {"inputs": inputs, "expected": expected}


FIXTURES = {
    "keras2_mlp": keras2_mlp,
    "keras3_cnn_bn": keras3_cnn_bn,
    "mobilenet_v2": mobilenet_v2,
    "module_two_signatures": module_two_signatures,
    "tf1_builder": tf1_builder,
    "sharded_vars": sharded_vars,
    "sharded_slices": sharded_slices,
    "finetune_base": finetune_base,
    "finetune_head": finetune_head,
    "lstm": lstm,
    "attention": attention,
    "gru": gru,
    "simple_rnn_sequences": simple_rnn_sequences,
    "bidirectional_masked": bidirectional_masked,
    "transformer_encoder": transformer_encoder,
    "einsum_cumsum_module": einsum_cumsum_module,
    "string_lookup": string_lookup,
    "text_vectorization": text_vectorization,
    "text_vectorization_bags": text_vectorization_bags,
    "string_ops": string_ops,
    "op_families": op_families,
    "volumetric": volumetric,
    "audio_frontend": audio_frontend,
    "example_classifier": example_classifier,
    "random_text_ops": random_text_ops,
}


# ----------------------------------------------------------------------------
# Facts about a written SavedModel
# ----------------------------------------------------------------------------

def _data_shards(model_dir):
    variables = os.path.join(model_dir, "variables")
    if not os.path.isdir(variables):
        return []
    return sorted(f for f in os.listdir(variables) if f.startswith("variables.data-"))


def _dtype_name(enum_value):
    from tensorflow.core.framework import types_pb2
    return types_pb2.DataType.Name(enum_value)


def _shape(tensor_info):
    """Shape as a list with -1 for unknown dims, or None for unknown rank."""
    if not tensor_info.HasField("tensor_shape") or tensor_info.tensor_shape.unknown_rank:
        return None
    return [int(d.size) for d in tensor_info.tensor_shape.dim]


def _tensor_info(info):
    fact = {"dtype": _dtype_name(info.dtype), "shape": _shape(info)}
    encoding = info.WhichOneof("encoding")
    if encoding == "name":
        fact["name"] = info.name
    else:
        fact["encoding"] = encoding
    if not info.HasField("tensor_shape"):
        fact["shape_absent"] = True
    return fact


def _signature_facts(meta_graph):
    sigs = {}
    for key in sorted(meta_graph.signature_def):
        sig = meta_graph.signature_def[key]
        sigs[key] = {
            "method_name": sig.method_name,
            "inputs": {k: _tensor_info(sig.inputs[k]) for k in sorted(sig.inputs)},
            "outputs": {k: _tensor_info(sig.outputs[k]) for k in sorted(sig.outputs)},
        }
    return sigs


def _fingerprint_facts(model_dir):
    path = os.path.join(model_dir, "fingerprint.pb")
    if not os.path.exists(path):
        return None
    tf = _tf()
    from tensorflow.core.protobuf import fingerprint_pb2
    fp = tf.saved_model.experimental.read_fingerprint(model_dir)
    api = {name: str(getattr(fp, name)) for name in (
        "saved_model_checksum", "graph_def_program_hash", "signature_def_hash",
        "saved_object_graph_hash", "checkpoint_hash")}
    api["version"] = {"producer": str(fp.version.producer),  # a VersionDef
                      "min_consumer": str(fp.version.min_consumer),
                      "bad_consumers": [str(v) for v in fp.version.bad_consumers]}
    api["singleprint"] = fp.singleprint()
    raw = fingerprint_pb2.FingerprintDef()
    with open(path, "rb") as f:
        raw.ParseFromString(f.read())
    proto = {
        "saved_model_checksum": str(raw.saved_model_checksum),
        "graph_def_program_hash": str(raw.graph_def_program_hash),
        "signature_def_hash": str(raw.signature_def_hash),
        "saved_object_graph_hash": str(raw.saved_object_graph_hash),
        "checkpoint_hash": str(raw.checkpoint_hash),
        "uuid": raw.uuid,
        "version": {
            "producer": str(raw.version.producer),
            "min_consumer": str(raw.version.min_consumer),
            "bad_consumers": [str(v) for v in raw.version.bad_consumers],
        },
    }
    return {"read_fingerprint": api, "proto": proto}


def _variable_facts(model_dir):
    prefix = os.path.join(model_dir, "variables", "variables")
    if not os.path.exists(prefix + ".index"):
        return {}
    tf = _tf()
    dtypes = tf.train.load_checkpoint(prefix).get_variable_to_dtype_map()
    return {name: {"shape": [int(d) for d in shape],
                   "dtype": _dtype_name(dtypes[name].as_datatype_enum)}
            for name, shape in sorted(tf.train.list_variables(prefix))}


def _varint(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def _sstable_block(data, offset, size):
    """Decode one (uncompressed) LevelDB-style table block into (key, value)s."""
    block = data[offset:offset + size]
    if data[offset + size] != 0:
        raise SystemExit("compressed TensorBundle index block")
    (restarts,) = np.frombuffer(block[-4:], dtype="<u4")
    end = len(block) - 4 - 4 * int(restarts)
    i, key, entries = 0, b"", []
    while i < end:
        shared, i = _varint(block, i)
        non_shared, i = _varint(block, i)
        value_len, i = _varint(block, i)
        key = key[:shared] + block[i:i + non_shared]
        i += non_shared
        entries.append((key, block[i:i + value_len]))
        i += value_len
    return entries


def _bundle_facts(model_dir):
    """Every entry of variables/variables.index, decoded with a small SSTable
    reader and TensorFlow's BundleEntryProto, then cross-checked against the
    values TensorFlow's checkpoint reader returns."""
    prefix = os.path.join(model_dir, "variables", "variables")
    if not os.path.exists(prefix + ".index"):
        return None
    tf = _tf()
    from tensorflow.core.protobuf import tensor_bundle_pb2
    with open(prefix + ".index", "rb") as f:
        data = f.read()
    footer = data[-48:]
    _, i = _varint(footer, 0)
    _, i = _varint(footer, i)          # metaindex handle (always empty)
    index_offset, i = _varint(footer, i)
    index_size, i = _varint(footer, i)
    header, entries = None, {}
    for _, handle in _sstable_block(data, index_offset, index_size):
        offset, j = _varint(handle, 0)
        size, _ = _varint(handle, j)
        for key, value in _sstable_block(data, offset, size):
            if key == b"":
                header = tensor_bundle_pb2.BundleHeaderProto.FromString(value)
                continue
            entry = tensor_bundle_pb2.BundleEntryProto.FromString(value)
            try:
                name = key.decode("utf-8")
                if not name.isprintable():
                    raise UnicodeDecodeError("utf-8", key, 0, 1, "control chars")
            except UnicodeDecodeError:
                name = "hex:" + key.hex()
            entries[name] = {
                "dtype": _dtype_name(entry.dtype),
                "shape": [int(d.size) for d in entry.shape.dim],
                "shard_id": entry.shard_id, "offset": entry.offset, "size": entry.size,
                "crc32c": entry.crc32c,
                "slices": [[{"start": e.start,
                             "length": e.length if e.HasField("length") else None}
                            for e in sl.extent] for sl in entry.slices],
            }
    # Cross-check: numeric tensors (and slices of partitioned ones) must be
    # exactly the raw bytes of the values TensorFlow's reader returns.
    reader = tf.train.load_checkpoint(prefix)
    shard_names = _data_shards(model_dir)

    def raw_bytes(entry):
        with open(os.path.join(model_dir, "variables", shard_names[entry["shard_id"]]), "rb") as f:
            f.seek(entry["offset"])
            return f.read(entry["size"])

    slice_bytes = set()
    for name, entry in entries.items():
        if name.startswith("hex:") or entry["dtype"] == "DT_STRING":
            continue
        value = reader.get_tensor(name)
        if entry["slices"]:
            for extents in entry["slices"]:
                index = tuple(slice(e["start"], None if e["length"] is None
                                    else e["start"] + e["length"]) for e in extents)
                slice_bytes.add(np.ascontiguousarray(value[index]).tobytes())
        elif raw_bytes(entry) != np.ascontiguousarray(value).tobytes():
            raise SystemExit(f"bundle entry {name}: bytes differ from TensorFlow's value")
    for name, entry in entries.items():
        if name.startswith("hex:") and raw_bytes(entry) not in slice_bytes:
            raise SystemExit(f"bundle slice entry {name}: bytes match no slice of its tensor")
    return {"num_shards": header.num_shards,
            "endianness": tensor_bundle_pb2.BundleHeaderProto.Endianness.Name(header.endianness),
            "version_producer": header.version.producer,
            "entries": entries}


def _file_facts(model_dir):
    files, dirs = {}, []
    for root, subdirs, names in os.walk(model_dir):
        subdirs.sort()
        rel_root = os.path.relpath(root, model_dir)
        if rel_root != ".":
            dirs.append(rel_root.replace(os.sep, "/"))
        for name in sorted(names):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, model_dir).replace(os.sep, "/")
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            files[rel] = {"size": os.path.getsize(path), "sha256": digest}
    empty = [d for d in dirs if not os.listdir(os.path.join(model_dir, d))]
    return files, dirs, empty


def _facts(name, model_dir, description, extra):
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2
    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(model_dir, "saved_model.pb"), "rb") as f:
        saved_model.ParseFromString(f.read())
    ops = set()
    for mg in saved_model.meta_graphs:
        ops.update(node.op for node in mg.graph_def.node)
        for fn in mg.graph_def.library.function:
            ops.update(node.op for node in fn.node_def)
    files, dirs, empty_dirs = _file_facts(model_dir)
    facts = {
        "name": name,
        "description": description,
        "tensorflow_version": tf.__version__,
        "saved_model_schema_version": int(saved_model.saved_model_schema_version),
        "tags": [list(mg.meta_info_def.tags) for mg in saved_model.meta_graphs],
        "signatures": [_signature_facts(mg) for mg in saved_model.meta_graphs],
        "variables": _variable_facts(model_dir),
        "data_shards": len(_data_shards(model_dir)),
        "bundle": _bundle_facts(model_dir),
        "fingerprint": _fingerprint_facts(model_dir),
        "ops": sorted(ops),
        "stripped_op_list": sorted({op.name for mg in saved_model.meta_graphs
                                    for op in mg.meta_info_def.stripped_op_list.op}),
        "meta_info": [{"tensorflow_version": mg.meta_info_def.tensorflow_version,
                       "tensorflow_git_version": mg.meta_info_def.tensorflow_git_version,
                       "stripped_default_attrs": mg.meta_info_def.stripped_default_attrs,
                       "graph_nodes": len(mg.graph_def.node),
                       "library_functions": len(mg.graph_def.library.function),
                       "object_graph_nodes": len(mg.object_graph_def.nodes)}
                      for mg in saved_model.meta_graphs],
        "has_object_graph": any(len(mg.object_graph_def.nodes) > 0
                                for mg in saved_model.meta_graphs),
        "has_keras_metadata": os.path.exists(os.path.join(model_dir, "keras_metadata.pb")),
        "assets": sorted(f for f in files if f.startswith("assets/")),
        "files": files,
        "directories": dirs,
        "empty_directories": empty_dirs,
    }
    if "tf_keras" in sys.modules:
        facts["tf_keras_version"] = sys.modules["tf_keras"].__version__
    if "keras" in sys.modules and hasattr(sys.modules["keras"], "__version__"):
        facts["keras_version"] = sys.modules["keras"].__version__
    facts.update(extra)
    return facts


# ----------------------------------------------------------------------------
# Reference inputs/outputs (computed by loading the saved model back)
# ----------------------------------------------------------------------------

_NP_DTYPES = {"DT_FLOAT": np.float32, "DT_DOUBLE": np.float64, "DT_INT32": np.int32,
              "DT_INT64": np.int64, "DT_BOOL": np.bool_, "DT_UINT8": np.uint8}


def _random_input(info, rng):
    shape = [BATCH if d == -1 else d for d in (info["shape"] or [])]
    dtype = info["dtype"]
    if dtype == "DT_STRING":
        return _strings(rng.choice(WORDS, size=shape).tolist() if shape else WORDS[0])
    np_dtype = _NP_DTYPES[dtype]
    if np.issubdtype(np_dtype, np.floating):
        return rng.normal(size=shape).astype(np_dtype)
    if np_dtype is np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    return rng.integers(0, 10, size=shape).astype(np_dtype)


def _to_npy_array(value):
    array = np.asarray(value)
    if array.dtype == object:  # TF strings come back as object arrays of bytes
        array = array.astype("S")
    return array


def _serving_signatures(facts):
    return {k: v for k, v in facts["signatures"][0].items() if not k.startswith("__")}


def _run_tf2(model_dir, inputs):
    tf = _tf()
    loaded = tf.saved_model.load(model_dir)
    outputs = {}
    for key, feeds in inputs.items():
        result = loaded.signatures[key](**{k: tf.constant(v) for k, v in feeds.items()})
        outputs[key] = {k: _to_npy_array(v.numpy()) for k, v in result.items()}
    return outputs


def _run_tf1(model_dir, tags, inputs, facts):
    tf = _tf()
    v1 = tf.compat.v1
    outputs = {}
    graph = tf.Graph()
    with graph.as_default(), v1.Session(graph=graph) as sess:
        v1.saved_model.loader.load(sess, tags, model_dir)
        for key, feeds in inputs.items():
            sig = facts["signatures"][0][key]
            names = sorted(sig["outputs"])
            feed_dict = {sig["inputs"][k]["name"]: v for k, v in feeds.items()}
            values = sess.run([sig["outputs"][k]["name"] for k in names], feed_dict)
            outputs[key] = {k: _to_npy_array(v) for k, v in zip(names, values)}
    return outputs


def _save_arrays(base, arrays):
    for sig, named in arrays.items():
        for name, array in named.items():
            if "/" in name or "/" in sig:
                raise SystemExit(f"cannot use {sig}/{name} as a file name")
            if array.dtype == object:
                raise SystemExit(f"{sig}/{name}: object arrays are not allowed")
            directory = os.path.join(base, sig)
            os.makedirs(directory, exist_ok=True)
            np.save(os.path.join(directory, name + ".npy"), array, allow_pickle=False)


def _check(name, got, want):
    for sig, named in want.items():
        for out, expected in named.items():
            actual = got[sig][out]
            if expected.dtype.kind in "fc":
                ok = actual.shape == expected.shape and np.allclose(
                    actual, expected, rtol=1e-4, atol=1e-5)
            else:
                ok = np.array_equal(actual, np.asarray(expected).astype(actual.dtype))
            if not ok:
                raise SystemExit(f"{name}: {sig}/{out} from the reloaded model differs "
                                 f"from the in-memory model:\n{actual}\nvs\n{expected}")


def _saved_model_cli(fixture_dir):
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run([cli, "show", "--all", "--dir", "model"], cwd=fixture_dir,
                            capture_output=True, text=True, env=os.environ.copy())
    if result.returncode != 0:
        raise SystemExit(f"saved_model_cli failed:\n{result.stderr}")
    return result.stdout


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------

def generate(name, out_dir):
    fixture_dir = os.path.join(out_dir, name)
    model_dir = os.path.join(fixture_dir, "model")
    ref_dir = os.path.join(fixture_dir, "reference")
    if os.path.exists(fixture_dir):
        shutil.rmtree(fixture_dir)
    os.makedirs(fixture_dir)

    fn = FIXTURES[name]
    print(f"[{name}] building", flush=True)
    if name == "finetune_head":
        result = fn(model_dir, out_dir)
    else:
        result = fn(model_dir)
    description = " ".join(fn.__doc__.split())
    facts = _facts(name, model_dir, description, result.get("extra", {}))

    # Reference inputs: given by the fixture, or random from the signature.
    rng = np.random.default_rng(SEED)
    serving = _serving_signatures(facts)
    inputs = result.get("inputs", {})
    for key, sig in serving.items():
        if key not in inputs:
            inputs[key] = {k: _random_input(v, rng) for k, v in sig["inputs"].items()}
        if set(inputs[key]) != set(sig["inputs"]):
            raise SystemExit(f"{name}: inputs for {key} do not match the signature")

    if not facts["has_object_graph"]:  # TF1 SavedModel: load it into a Session
        outputs = _run_tf1(model_dir, facts["tags"][0], inputs, facts)
    else:
        outputs = _run_tf2(model_dir, inputs)

    expected = result.get("expected", {})
    if "check" in result:  # compare the in-memory model on every serving signature
        for key in serving:
            (out_name,) = serving[key]["outputs"]
            expected[key] = {out_name: result["check"](inputs[key])}
    if not expected:
        raise SystemExit(f"{name}: no expected outputs to check the reloaded model against")
    _check(name, outputs, expected)

    _save_arrays(os.path.join(ref_dir, "inputs"), inputs)
    _save_arrays(os.path.join(ref_dir, "outputs"), outputs)
    with open(os.path.join(ref_dir, "saved_model_cli.txt"), "w") as f:
        f.write(_saved_model_cli(fixture_dir))
    with open(os.path.join(ref_dir, "facts.json"), "w") as f:
        json.dump(facts, f, indent=2, sort_keys=False)
        f.write("\n")
    print(f"[{name}] done: {facts['data_shards']} data shard(s), {len(facts['ops'])} ops",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "Fixtures"),
                        help="output directory (default: Fixtures/ in the repository)")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(FIXTURES),
                        help="generate only these fixtures")
    args = parser.parse_args()
    out_dir = os.path.abspath(args.out)
    names = args.only or list(FIXTURES)
    # finetune_head is compared against finetune_base: make sure it exists.
    if ("finetune_head" in names and "finetune_base" not in names
            and not os.path.isdir(os.path.join(out_dir, "finetune_base", "model"))):
        names.insert(names.index("finetune_head"), "finetune_base")
    if "finetune_head" in names and "finetune_base" in names:
        names.remove("finetune_base")
        names.insert(names.index("finetune_head"), "finetune_base")
    os.makedirs(out_dir, exist_ok=True)

    if len(names) == 1:
        generate(names[0], out_dir)
        return
    # One fresh process per fixture, strictly one after the other.
    for name in names:
        cmd = [sys.executable, os.path.abspath(__file__), "--out", out_dir, "--only", name]
        if subprocess.run(cmd).returncode != 0:
            raise SystemExit(f"fixture {name} failed")


if __name__ == "__main__":
    main()
