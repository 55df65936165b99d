"""Random Keras models run by `registry run` and checked against TensorFlow.

    Scripts/conformance.sh [COUNT] [SEED] [--kinds KIND,...] [--tf-only]
                                        (default 30 models, seed 0, every kind)

Each model is built by Keras 3 with random layer choices, random sizes and weights, exported with
`model.export()`, run by TensorFlow on a random batch, then by `registry run` on the same `.npy`
input; outputs must agree within relative 1e-4 and absolute 1e-5 (float32). Prints one line per
model and a summary; exits 1 if any model disagrees or fails.

`--kinds` picks the model kinds (comma-separated; models cycle through them, conv twice as often):

  dense        Dense with random activations, Dropout, LayerNormalization, Softmax.
  conv         Conv2D with random kernel, stride, dilation and padding, DepthwiseConv2D,
               SeparableConv2D, BatchNormalization, pooling, GlobalAveragePooling or Flatten.
  recurrent    One or two LSTM, GRU (reset_after on or off) or SimpleRNN layers with random units,
               time steps and features, return_sequences on or off, sometimes go_backwards,
               unrolled or wrapped in Bidirectional (random merge mode); the input is either float
               features or int32 token ids through an Embedding, often with mask_zero and rows
               zero-padded to random lengths.
  transformer  One or two encoder blocks: MultiHeadAttention with random heads and key_dim
               (sometimes a causal mask), residuals, LayerNormalization before or after, a
               feed-forward of random width with relu, exact gelu or tanh gelu; the input is float
               features or int32 token ids with token (and arange or cumsum-of-mask position)
               embeddings and, usually, a padding mask from tokens != 0 used by the attention and
               a masked GlobalAveragePooling1D.

`--tf-only` builds, exports and runs every model with TensorFlow only (the registry is not
called, and conformance.sh skips the Swift build): a dry run of the generators.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402

KINDS = ["dense", "conv", "recurrent", "transformer"]
# The cycle models follow: conv twice as often (with only dense and conv selected this is the
# dense, conv, conv order the script has always used, so old seeds give the same models).
SCHEDULE = ["dense", "conv", "conv", "recurrent", "transformer"]


def activation(rng):
    return rng.choice(["relu", "relu6", "tanh", "sigmoid", "elu", "selu", "softplus", "gelu", "swish", None, "leaky_relu"])


def float_sampler(rng_np, shape):
    return lambda batch: rng_np.standard_normal((batch,) + shape).astype(np.float32)


def token_sampler(rng_np, length, vocab, padded):
    """int32 ids in [1, vocab); with `padded`, each row keeps a random length >= 1, then zeros."""
    def sample(batch):
        ids = rng_np.integers(1, vocab, size=(batch, length)).astype(np.int32)
        if padded:
            for row, keep in enumerate(rng_np.integers(1, length + 1, size=batch)):
                ids[row, keep:] = 0
        return ids
    return sample


def dense_model(keras, rng, rng_np):
    width = rng.randint(2, 24)
    inputs = keras.Input((width,))
    x = inputs
    for _ in range(rng.randint(1, 4)):
        x = keras.layers.Dense(rng.randint(1, 32), activation=activation(rng))(x)
        if rng.random() < 0.3:
            x = keras.layers.Dropout(0.5)(x)
        if rng.random() < 0.3:
            x = keras.layers.LayerNormalization()(x)
    if rng.random() < 0.5:
        x = keras.layers.Softmax()(x)
    return keras.Model(inputs, x), float_sampler(rng_np, (width,)), ""


def conv_model(keras, rng, rng_np):
    size = rng.randint(8, 24)
    channels = rng.randint(1, 5)
    inputs = keras.Input((size, size, channels))
    x = inputs
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["conv", "conv", "depthwise", "separable"])
        padding = rng.choice(["same", "valid"])
        kernel = rng.choice([1, 2, 3, 5])
        dilation = rng.choice([1, 1, 2]) if kernel > 1 else 1
        stride = 1 if dilation > 1 else rng.choice([1, 1, 2])
        if x.shape[1] < (kernel - 1) * dilation + 2:
            padding = "same"
        if kind == "conv":
            x = keras.layers.Conv2D(rng.randint(1, 12), kernel, strides=stride, padding=padding, dilation_rate=dilation,
                                    activation=activation(rng))(x)
        elif kind == "depthwise":
            x = keras.layers.DepthwiseConv2D(kernel, strides=stride, padding=padding, depth_multiplier=rng.choice([1, 2]),
                                             dilation_rate=dilation)(x)
        else:
            x = keras.layers.SeparableConv2D(rng.randint(1, 8), kernel, strides=stride, padding=padding,
                                             dilation_rate=dilation)(x)
        if rng.random() < 0.5:
            x = keras.layers.BatchNormalization()(x)
        if rng.random() < 0.4 and x.shape[1] >= 2:
            pool = rng.choice([keras.layers.MaxPooling2D, keras.layers.AveragePooling2D])
            x = pool(pool_size=2, padding=rng.choice(["same", "valid"]))(x)
    if rng.random() < 0.5:
        x = keras.layers.GlobalAveragePooling2D()(x)
    else:
        x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(rng.randint(1, 10))(x)
    return keras.Model(inputs, x), float_sampler(rng_np, (size, size, channels)), ""


def recurrent_model(keras, rng, rng_np):
    time = rng.randint(1, 10)
    notes = []
    if rng.random() < 0.5:
        vocab = rng.randint(3, 30)
        masked = rng.random() < 0.7
        inputs = keras.Input((time,), dtype="int32")
        x = keras.layers.Embedding(vocab, rng.randint(1, 8), mask_zero=masked)(inputs)
        sample = token_sampler(rng_np, time, vocab, padded=masked or rng.random() < 0.3)
        notes.append("tokens masked" if masked else "tokens")
    else:
        features = rng.randint(1, 8)
        inputs = keras.Input((time, features))
        x = inputs
        sample = float_sampler(rng_np, (time, features))
    count = rng.randint(1, 2)
    for index in range(count):
        kind = rng.choice(["LSTM", "GRU", "SimpleRNN"])
        sequences = index < count - 1 or rng.random() < 0.5
        options = {"return_sequences": sequences}
        if kind == "GRU":
            options["reset_after"] = rng.random() < 0.7
        bidirectional = rng.random() < 0.3
        if rng.random() < 0.2:
            options["unroll"] = True
        if not bidirectional and rng.random() < 0.15:  # Bidirectional refuses a go_backwards layer
            options["go_backwards"] = True
        layer = getattr(keras.layers, kind)(rng.randint(1, 8), **options)
        name = kind + ("" if options.get("reset_after", True) else "(reset_after=False)")
        name += "".join(f" {k}" for k in ("unroll", "go_backwards") if options.get(k))
        if bidirectional:
            merge = rng.choice(["concat", "sum", "ave", "mul"])
            layer = keras.layers.Bidirectional(layer, merge_mode=merge)
            name = f"Bidirectional({name}, {merge})"
        notes.append(name + (" seq" if sequences else ""))
        x = layer(x)
    x = keras.layers.Dense(rng.randint(1, 6))(x)
    return keras.Model(inputs, x), sample, ", ".join(notes)


def transformer_model(keras, rng, rng_np):
    ops = keras.ops
    length = rng.randint(2, 12)
    d_model = rng.randint(2, 16)
    notes = []
    keep = None
    if rng.random() < 0.6:
        vocab = rng.randint(3, 30)
        inputs = keras.Input((length,), dtype="int32")
        x = keras.layers.Embedding(vocab, d_model)(inputs)
        masked = rng.random() < 0.7
        if masked:
            keep = ops.not_equal(inputs, 0)
        positions = rng.choice(["none", "arange", "cumsum"] if masked else ["none", "arange"])
        if positions == "arange":  # from the input, so the embedding stays part of the graph
            x = x + keras.layers.Embedding(length, d_model)(ops.zeros_like(inputs) + ops.arange(length))
        elif positions == "cumsum":
            count = ops.cast(keep, "int32")
            x = x + keras.layers.Embedding(length, d_model)((ops.cumsum(count, axis=1) - 1) * count)
        sample = token_sampler(rng_np, length, vocab, padded=masked or rng.random() < 0.3)
        notes.append(f"tokens{' masked' if masked else ''}, {positions} positions")
    else:
        inputs = keras.Input((length, d_model))
        x = inputs
        sample = float_sampler(rng_np, (length, d_model))
    for _ in range(rng.randint(1, 2)):
        heads, key_dim, ff = rng.randint(1, 4), rng.randint(1, 8), rng.randint(2, 32)
        feed = rng.choice(["relu", "gelu", "gelu_tanh"])
        causal = rng.random() < 0.2
        pre_norm = rng.random() < 0.4
        attention = keras.layers.MultiHeadAttention(heads, key_dim)
        mask = None if keep is None else ops.expand_dims(keep, 1)
        h = keras.layers.LayerNormalization()(x) if pre_norm else x
        x = x + attention(h, h, attention_mask=mask, use_causal_mask=causal)
        if not pre_norm:
            x = keras.layers.LayerNormalization()(x)
        h = keras.layers.LayerNormalization()(x) if pre_norm else x
        h = keras.layers.Dense(ff, activation=None if feed == "gelu_tanh" else feed)(h)
        if feed == "gelu_tanh":
            h = ops.gelu(h, approximate=True)
        x = x + keras.layers.Dense(d_model)(h)
        if not pre_norm:
            x = keras.layers.LayerNormalization()(x)
        notes.append(f"{heads}x{key_dim} heads ff {ff} {feed}{' causal' if causal else ''}"
                     f"{' pre-norm' if pre_norm else ''}")
    x = keras.layers.GlobalAveragePooling1D()(x, mask=keep)
    x = keras.layers.Dense(rng.randint(1, 6))(x)
    return keras.Model(inputs, x), sample, "; ".join(notes)


BUILDERS = {"dense": dense_model, "conv": conv_model, "recurrent": recurrent_model, "transformer": transformer_model}


def randomize(model, rng_np):
    import keras
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        new = [rng_np.standard_normal(w.shape).astype(w.dtype) * 0.5 if w.dtype.kind == "f" else w for w in weights]
        if isinstance(layer, keras.layers.BatchNormalization):
            new[-1] = np.abs(new[-1]) + 0.5  # moving variance must be positive
        layer.set_weights(new)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("registry", help="the registry executable (ignored with --tf-only)")
    parser.add_argument("count", nargs="?", type=int, default=30, help="number of models (default 30)")
    parser.add_argument("seed", nargs="?", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help=f"comma-separated model kinds out of {','.join(KINDS)} (default: all)")
    parser.add_argument("--tf-only", action="store_true",
                        help="build and run the models with TensorFlow only, without the registry")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        parser.error(f"--kinds: unknown {', '.join(unknown) or 'nothing chosen'}; choose from {', '.join(KINDS)}")
    args.schedule = [k for k in SCHEDULE if k in kinds]
    return args


def main():
    args = parse_arguments()
    import keras
    import tensorflow as tf
    rng = random.Random(args.seed)
    rng_np = np.random.default_rng(args.seed)
    work = tempfile.mkdtemp(prefix="registry-conformance-")
    matched = failed = 0
    for index in range(args.count):
        keras.utils.set_random_seed(args.seed * 1000 + index)
        kind = args.schedule[index % len(args.schedule)]
        model, sample, notes = BUILDERS[kind](keras, rng, rng_np)
        randomize(model, rng_np)
        directory = os.path.join(work, f"model{index}")
        model.export(directory, verbose=False)
        batch = rng.randint(1, 4)
        x = sample(batch)
        signature = tf.saved_model.load(directory).signatures["serving_default"]
        (name, _), = signature.structured_input_signature[1].items()
        expected = list(signature(**{name: tf.constant(x)}).values())[0].numpy()
        label = f"{index:3d} {kind:11s} input {tuple(x.shape)} {x.dtype} -> {expected.shape}, {len(model.layers)} layers"
        label += f" ({notes})" if notes else ""
        if args.tf_only:
            in_memory = keras.ops.convert_to_numpy(model(x))
            if np.allclose(in_memory, expected, rtol=1e-4, atol=1e-5) and np.all(np.isfinite(expected)):
                matched += 1
                print(f"tf   {label}")
            else:
                failed += 1
                print(f"BAD  {label}: the exported model disagrees with the in-memory one or is not finite")
            continue
        input_path = os.path.join(work, f"input{index}.npy")
        np.save(input_path, x)
        out_dir = os.path.join(work, f"out{index}")
        result = subprocess.run([args.registry, "run", directory, "--input", f"{name}={input_path}", "--output-dir", out_dir],
                                capture_output=True, text=True)
        if result.returncode != 0:
            failed += 1
            print(f"FAIL {label}: {result.stderr.strip()[:300]}")
            continue
        actual = np.load(os.path.join(out_dir, os.listdir(out_dir)[0]))
        if actual.shape == expected.shape and np.allclose(actual, expected, rtol=1e-4, atol=1e-5):
            matched += 1
            print(f"ok   {label} (max |diff| {np.max(np.abs(actual - expected)):.2e})")
        else:
            failed += 1
            worst = np.max(np.abs(actual - expected)) if actual.shape == expected.shape else "shape"
            print(f"DIFF {label}: max |diff| {worst}")
    shutil.rmtree(work, ignore_errors=True)
    if args.tf_only:
        print(f"{matched} of {args.count} models built and ran in TensorFlow, {failed} did not")
    else:
        print(f"{matched} of {args.count} models matched TensorFlow, {failed} did not")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
