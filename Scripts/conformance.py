"""Random models of the kinds `registry run` supports, checked against TensorFlow.

    Scripts/conformance.sh [COUNT] [SEED]       (default 30 models, seed 0)

Each model is built by Keras 3 with random layer choices (Dense, Conv2D with random kernel,
stride, dilation and padding, DepthwiseConv2D, SeparableConv2D, BatchNormalization, pooling,
activations, Dropout, Flatten, Reshape, concatenation of branches), random sizes and weights,
exported with `model.export()`, run by TensorFlow on a random batch, then by `registry run` on the
same `.npy` input; outputs must agree within relative 1e-4 and absolute 1e-5 (float32). Prints
one line per model and a summary; exits 1 if any model disagrees or fails.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402


def activation(rng):
    return rng.choice(["relu", "relu6", "tanh", "sigmoid", "elu", "selu", "softplus", "gelu", "swish", None, "leaky_relu"])


def dense_model(keras, rng):
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
    return keras.Model(inputs, x), (width,)


def conv_model(keras, rng):
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
    return keras.Model(inputs, x), (size, size, channels)


def randomize(model, rng_np):
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        new = [rng_np.standard_normal(w.shape).astype(w.dtype) * 0.5 for w in weights]
        if isinstance(layer, __import__("keras").layers.BatchNormalization):
            new[-1] = np.abs(new[-1]) + 0.5  # moving variance must be positive
        layer.set_weights(new)


def main():
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    registry = sys.argv[1]
    import keras
    rng = random.Random(seed)
    rng_np = np.random.default_rng(seed)
    work = tempfile.mkdtemp(prefix="registry-conformance-")
    matched = failed = 0
    for index in range(count):
        keras.utils.set_random_seed(seed * 1000 + index)
        kind = "dense" if index % 3 == 0 else "conv"
        model, shape = (dense_model if kind == "dense" else conv_model)(keras, rng)
        randomize(model, rng_np)
        directory = os.path.join(work, f"model{index}")
        model.export(directory, verbose=False)
        batch = rng.randint(1, 4)
        x = rng_np.standard_normal((batch,) + shape).astype(np.float32)
        import tensorflow as tf
        signature = tf.saved_model.load(directory).signatures["serving_default"]
        (name, _), = signature.structured_input_signature[1].items()
        expected = list(signature(**{name: tf.constant(x)}).values())[0].numpy()
        input_path = os.path.join(work, f"input{index}.npy")
        np.save(input_path, x)
        out_dir = os.path.join(work, f"out{index}")
        result = subprocess.run([registry, "run", directory, "--input", f"{name}={input_path}", "--output-dir", out_dir],
                                capture_output=True, text=True)
        label = f"{index:3d} {kind:5s} input {tuple(x.shape)} -> {expected.shape}, {len(model.layers)} layers"
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
    print(f"{matched} of {count} models matched TensorFlow, {failed} did not")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
