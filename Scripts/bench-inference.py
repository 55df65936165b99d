"""`registry run` against TensorFlow 2.21 on the same models and inputs, in the same run.

    Scripts/bench-inference.sh            (creates the TensorFlow venv if needed, then runs this)

For an MLP and a small CNN (the fixtures), MobileNetV2, ResNet50, EfficientNetB0 and DenseNet121 at
224x224, InceptionV3 at 299x299, an
LSTM (128 units over 32 steps of 64 features) and a transformer encoder block (sequence 64, d_model
128, 4 heads, feed-forward 512), the last five with random weights and written to /tmp/registry-bench-models on
first use (not committed), at batch 1 and 32: the steady-state latency per call, and the cold start
(process start to first output, median of 3: `registry run` versus a Python process that imports
TensorFlow, loads the model and calls it once), also from a store (`registry run REF`, read in place), and
how far the cold run's outputs are from TensorFlow's. Prints Markdown tables.

Steady state: the two sides take turns, `BENCH_ROUNDS` (default 3) rounds of TensorFlow then ours,
each round the median of 20 calls (10 at batch 32) after 3 warm-up calls; a row shows the median
of each side's round medians. Ours runs through `registry-bench inference`, which loads once and
calls `LoadedModel.run`; TensorFlow's model is loaded once per row. Taking turns matters on a
shared machine whose speed drifts by tens of percent from one minute to the next: measured one
after the other, each side would catch a different minute.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = "/tmp/registry-bench-models"


def lstm_model(keras):
    """One LSTM layer of 128 units over float32 [None, 32, 64], then Dense(10)."""
    return keras.Sequential([
        keras.Input((32, 64), name="sequence"),
        keras.layers.LSTM(128),
        keras.layers.Dense(10),
    ])


def transformer_block(keras):
    """A post-norm transformer encoder block over float32 [None, 64, 128]: MultiHeadAttention
    (4 heads of 32), residual + LayerNormalization, Dense(512, exact gelu), Dense(128), residual +
    LayerNormalization."""
    inputs = keras.Input((64, 128), name="embeddings")
    x = keras.layers.LayerNormalization()(inputs + keras.layers.MultiHeadAttention(4, 32)(inputs, inputs))
    h = keras.layers.Dense(128)(keras.layers.Dense(512, activation="gelu")(x))
    return keras.Model(inputs, keras.layers.LayerNormalization()(x + h))


GENERATED = {
    "mobilenet_v2_224": lambda keras: keras.applications.MobileNetV2(weights=None, input_shape=(224, 224, 3)),
    "resnet50": lambda keras: keras.applications.ResNet50(weights=None, input_shape=(224, 224, 3)),
    "efficientnet_b0": lambda keras: keras.applications.EfficientNetB0(weights=None, input_shape=(224, 224, 3)),
    "densenet121": lambda keras: keras.applications.DenseNet121(weights=None, input_shape=(224, 224, 3)),
    "inception_v3": lambda keras: keras.applications.InceptionV3(weights=None, input_shape=(299, 299, 3)),
    "lstm_128": lstm_model,
    "transformer_block_128": transformer_block,
}


def build_models(names=GENERATED):
    import keras
    os.makedirs(MODELS, exist_ok=True)
    for name in names:
        path = os.path.join(MODELS, name)
        if not os.path.exists(path):
            keras.utils.set_random_seed(0)
            GENERATED[name](keras).export(path, verbose=False)


def signature_input(model_dir):
    import tensorflow as tf
    loaded = tf.saved_model.load(model_dir)
    fn = loaded.signatures["serving_default"]
    (name, spec), = fn.structured_input_signature[1].items()
    return name, spec.shape.as_list(), spec.dtype.as_numpy_dtype


def tf_caller(model_dir, name, batch_input):
    """A function that returns TensorFlow's median latency over `calls` calls (the model loaded once)."""
    import tensorflow as tf
    fn = tf.saved_model.load(model_dir).signatures["serving_default"]
    x = tf.constant(batch_input)

    def latency(calls):
        for _ in range(3):
            fn(**{name: x})
        samples = []
        for _ in range(calls):
            start = time.perf_counter()
            fn(**{name: x})
            samples.append((time.perf_counter() - start) * 1e3)
        return float(np.median(samples))
    return latency


def ours_latency(bench, model_dir, name, path, calls=20):
    out = subprocess.run([bench, "inference", model_dir, "serving_default", f"{name}={path}", "--iterations", str(calls)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split("median ")[1].split(" ms")[0])


def cold(command, runs=3):
    """Median wall time of `runs` fresh processes (one alone can catch a disk or scheduler hiccup)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1e3)
    return float(np.median(samples))


def tf_outputs(model_dir, name, batch_input):
    import tensorflow as tf
    fn = tf.saved_model.load(model_dir).signatures["serving_default"]
    return {key: value.numpy() for key, value in fn(**{name: tf.constant(batch_input)}).items()}


def largest_difference(ours_dir, expected):
    """The largest |registry - TensorFlow| over every output, relative to the output's scale."""
    worst = 0.0
    for key, value in expected.items():
        ours = np.load(os.path.join(ours_dir, f"{key}.npy"))
        worst = max(worst, float(np.max(np.abs(ours - value)) / max(float(np.max(np.abs(value))), 1e-30)))
    return worst


def main():
    registry, bench = sys.argv[1], sys.argv[2]
    build_models()
    models = [
        ("MLP (keras2_mlp fixture)", os.path.join(ROOT, "Fixtures/keras2_mlp/model")),
        ("small CNN (keras3_cnn_bn fixture)", os.path.join(ROOT, "Fixtures/keras3_cnn_bn/model")),
        ("MobileNetV2 224x224", os.path.join(MODELS, "mobilenet_v2_224")),
        ("ResNet50 224x224", os.path.join(MODELS, "resnet50")),
        ("EfficientNetB0 224x224", os.path.join(MODELS, "efficientnet_b0")),
        ("DenseNet121 224x224", os.path.join(MODELS, "densenet121")),
        ("InceptionV3 299x299", os.path.join(MODELS, "inception_v3")),
        ("LSTM 128 units, 32 steps x 64 features", os.path.join(MODELS, "lstm_128")),
        ("transformer block, seq 64, d 128, 4 heads, ff 512", os.path.join(MODELS, "transformer_block_128")),
    ]
    # BENCH_ONLY=ResNet50,LSTM runs only the rows whose label contains one of the words (for work on
    # one model; the published table is always the whole run).
    only = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
    if only:
        models = [(label, path) for label, path in models if any(word in label for word in only)]
    # BENCH_COLD=0 leaves out the cold starts (no `registry` release build needed) but still
    # checks each model's answers against TensorFlow's.
    cold_start = os.environ.get("BENCH_COLD", "1") != "0"
    rounds = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
    rng = np.random.default_rng(0)
    scratch = tempfile.mkdtemp(prefix="registry-bench-inference-")
    print("| model | batch | TensorFlow 2.21 | registry | ratio (registry / TF) |")
    print("|---|---|---|---|---|")
    colds = []
    spreads = []
    store = os.path.join(scratch, "store")
    for label, model_dir in models:
        name, shape, dtype = signature_input(model_dir)
        for batch in (1, 32):
            data = rng.standard_normal([batch] + shape[1:]).astype(dtype)
            path = os.path.join(scratch, f"{abs(hash(model_dir))}_{batch}.npy")
            np.save(path, data)
            tf_latency = tf_caller(model_dir, name, data)
            calls = 20 if batch == 1 else 10
            tf_rounds, ours_rounds = [], []
            for _ in range(rounds):
                tf_rounds.append(tf_latency(calls))
                ours_rounds.append(ours_latency(bench, model_dir, name, path, calls))
            tf_ms, ours_ms = float(np.median(tf_rounds)), float(np.median(ours_rounds))
            spreads.append((label, batch, tf_rounds, ours_rounds))
            print(f"| {label} | {batch} | {tf_ms:.3f} ms | {ours_ms:.3f} ms | {ours_ms / tf_ms:.2f} |", flush=True)
            if batch == 1 and not cold_start:
                # The answers are still checked against TensorFlow's, through registry-bench.
                outputs = os.path.join(scratch, f"out_{abs(hash(model_dir))}")
                subprocess.run([bench, "inference", model_dir, "serving_default", f"{name}={path}", "--iterations", "1",
                                "--save", outputs], capture_output=True, check=True)
                colds.append((label, None, None, None, largest_difference(outputs, tf_outputs(model_dir, name, data))))
            elif batch == 1:
                tf_cold = cold([sys.executable, "-c",
                                "import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='2'; import numpy as np, tensorflow as tf; "
                                f"f=tf.saved_model.load({model_dir!r}).signatures['serving_default']; "
                                f"f(**{{{name!r}: tf.constant(np.load({path!r}))}})"])
                outputs = os.path.join(scratch, f"out_{abs(hash(model_dir))}")
                ours_cold = cold([registry, "run", model_dir, "--input", f"{name}={path}", "--output-dir", outputs])
                # The same version pushed into a store and run from there (read in place, no pull).
                model = f"bench{len(colds)}"
                subprocess.run([registry, "--store", store, "push", model_dir, "--name", model], capture_output=True, check=True)
                stored_cold = cold([registry, "--store", store, "run", model, "--input", f"{name}={path}"])
                difference = largest_difference(outputs, tf_outputs(model_dir, name, data))
                colds.append((label, tf_cold, ours_cold, stored_cold, difference))
    print()
    print("Round medians (ms), TensorFlow | registry:")
    for label, batch, tf_rounds, ours_rounds in spreads:
        print(f"- {label}, batch {batch}: {' / '.join(f'{x:.3g}' for x in tf_rounds)} | "
              f"{' / '.join(f'{x:.3g}' for x in ours_rounds)}")
    print()
    if not cold_start:
        print("| model | max \\|Δ\\| / max \\|TF\\| |")
        print("|---|---|")
        for label, _, _, _, difference in colds:
            print(f"| {label} | {difference:.1e} |")
        return
    print("| model | TensorFlow cold start | `registry run DIR` | speed-up | `registry run REF` (from the store) | max \\|Δ\\| / max \\|TF\\| |")
    print("|---|---|---|---|---|---|")
    for label, tf_cold, ours_cold, stored_cold, difference in colds:
        print(f"| {label} | {tf_cold:.0f} ms | {ours_cold:.0f} ms | {tf_cold / ours_cold:.1f}x | {stored_cold:.0f} ms | {difference:.1e} |")


if __name__ == "__main__":
    main()
