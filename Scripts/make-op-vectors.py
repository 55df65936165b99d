#!/usr/bin/env python3
"""Writes Tests/InferenceTests/Vectors/*.json: inputs and TensorFlow's outputs for ops whose
results must match TensorFlow bit for bit (stateless random ops; text ops; Unicode ops;
ScaleAndTranslate), and for the complex and FFT ops (signal_ops.json: exact ops bit for bit, the
transforms within the tolerance SignalOpVectorTests documents).

Run with TensorFlow 2.21 (the venv Scripts/install-venv.sh makes):
    ~/tf-venv/bin/python Scripts/make-op-vectors.py

Float outputs are recorded as their bit patterns (uint16 for float16 and bfloat16), so the tests
compare bits, not decimal renderings. `swift test` reads the files; it never needs TensorFlow.
"""
import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# StatelessMultinomial is the one op here whose CPU result depends on TensorFlow's thread count: a
# large batch is split across threads, each starting its rows at its own counter. One thread
# gives the single sequence of draws the registry implements.
tf.config.threading.set_intra_op_parallelism_threads(1)
R = tf.raw_ops
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/InferenceTests/Vectors"

BITS = {"float16": np.uint16, "bfloat16": np.uint16, "float32": np.uint32, "float64": np.uint64}


def bits(tensor):
    """The elements, row-major: floats as bit patterns, integers as themselves (as Python ints)."""
    name = tensor.dtype.name
    array = tensor.numpy()
    if name in BITS:
        array = array.view(BITS[name])
    return [str(int(x)) for x in array.reshape(-1)]


def text(values):
    """64-bit integers as decimal strings, which JSON readers keep exact."""
    return [str(int(x)) for x in values]


def random_cases():
    cases = []
    seeds = [
        ([0, 0], "int64"), ([1, 2], "int64"), ([-1, -2], "int64"),
        ([2**63 - 1, -(2**63)], "int64"), ([12345, 67890], "int32"), ([-7, 3], "int32"),
    ]
    shapes = [[], [0], [3, 0], [1], [3], [5], [7], [2, 3, 3], [41]]
    floats = ["float16", "bfloat16", "float32", "float64"]

    def key_counter(seed, seed_dtype):
        key, counter = R.StatelessRandomGetKeyCounter(seed=tf.constant(seed, seed_dtype))
        return [int(x) for x in key.numpy()], [int(x) for x in counter.numpy()]

    for seed, seed_dtype in seeds:
        key, counter = key_counter(seed, seed_dtype)
        cases.append({"op": "StatelessRandomGetKeyCounter", "seed": text(seed), "seed_dtype": seed_dtype,
                      "key": text(key), "counter": text(counter)})

    for index, (seed, seed_dtype) in enumerate(seeds):
        key, counter = key_counter(seed, seed_dtype)
        s = tf.constant(seed, seed_dtype)
        for dist in ["StatelessRandomUniform", "StatelessRandomNormal", "StatelessTruncatedNormal"]:
            for dtype in floats:
                # Every shape for two seeds, a few for the rest, to keep the file small.
                for shape in shapes if index < 2 else [[7], [2, 3, 3]]:
                    v1 = getattr(R, dist)(shape=tf.constant(shape, tf.int32), seed=s, dtype=dtype)
                    v2 = getattr(R, dist + "V2")(shape=tf.constant(shape, tf.int64), key=key, counter=counter,
                                                 alg=1, dtype=dtype)
                    assert bits(v1) == bits(v2)
                    cases.append({"op": dist, "dtype": dtype, "shape": shape, "seed": text(seed),
                                  "seed_dtype": seed_dtype, "key": text(key), "counter": text(counter), "bits": bits(v1)})
    # Keys and counters that are not a seed's: carries across all four counter words.
    for key, counter in [([2**64 - 1], [2**64 - 1, 2**64 - 1]), ([0], [2**64 - 2, 0]), ([987654321], [5, 7, 9])]:
        for dist in ["StatelessRandomUniformV2", "StatelessRandomNormalV2", "StatelessTruncatedNormalV2"]:
            for dtype in ["float32", "float64"]:
                out = getattr(R, dist)(shape=[9], key=tf.constant(key, tf.uint64),
                                       counter=tf.constant(counter, tf.uint64), alg=3, dtype=dtype)
                cases.append({"op": dist, "dtype": dtype, "shape": [9], "key": text(key), "counter": text(counter),
                              "alg": 3, "bits": bits(out)})

    ranges = {
        "int32": [(0, 10), (-5, 5), (-(2**31), 2**31 - 1), (7, 8), (-100, -3), (0, 2**31 - 1)],
        "int64": [(0, 10), (-(2**63), 2**63 - 1), (-1000, 2**62), (0, 2**32 + 3), (-(2**63), 0)],
    }
    for index, (seed, seed_dtype) in enumerate(seeds):
        key, counter = key_counter(seed, seed_dtype)
        s = tf.constant(seed, seed_dtype)
        for dtype, pairs in ranges.items():
            for low, high in pairs:
                for shape in [[0], [5], [3, 3]] if index < 3 else [[5]]:
                    lo, hi = tf.constant(low, dtype), tf.constant(high, dtype)
                    v1 = R.StatelessRandomUniformInt(shape=shape, seed=s, minval=lo, maxval=hi)
                    v2 = R.StatelessRandomUniformIntV2(shape=shape, key=key, counter=counter, alg=1, minval=lo,
                                                       maxval=hi)
                    assert bits(v1) == bits(v2)
                    cases.append({"op": "StatelessRandomUniformInt", "dtype": dtype, "shape": shape, "seed": text(seed),
                                  "seed_dtype": seed_dtype, "key": text(key), "counter": text(counter), "minval": str(low),
                                  "maxval": str(high), "bits": bits(v1)})
        for dtype in ["int32", "int64", "uint32", "uint64"]:
            v1 = R.StatelessRandomUniformFullInt(shape=[7], seed=s, dtype=dtype)
            v2 = R.StatelessRandomUniformFullIntV2(shape=[7], key=key, counter=counter, alg=1, dtype=dtype)
            assert bits(v1) == bits(v2)
            cases.append({"op": "StatelessRandomUniformFullInt", "dtype": dtype, "shape": [7], "seed": text(seed),
                          "seed_dtype": seed_dtype, "key": text(key), "counter": text(counter), "bits": bits(v1)})

    inf, nan = float("inf"), float("nan")
    multinomial = [
        ([[0.0, 1.0, 2.0], [-inf, 0.0, 0.0], [nan, 1.0, 1.0], [5.0, -inf, inf]], 5, "float32"),
        ([[0.0, 1.0, 2.0], [1.5, -0.5, 0.25]], 7, "float64"),
        ([[0.0, 1.0, 2.0], [1.5, -0.5, 0.25]], 3, "float16"),
        ([[0.0, 1.0, 2.0], [1.5, -0.5, 0.25]], 3, "bfloat16"),
        ([[-inf, -inf]], 4, "float32"),
        ([[0.0] * 10] * 4, 50, "float32"),
        ([[0.5, 0.25]], 0, "float32"),
        (np.zeros([0, 3]), 2, "float32"),
    ]
    # Big enough that TensorFlow with two or more threads would split the batch.
    large = [(np.linspace(-1, 1, 640).reshape(64, 10), 50, "float32"),
             (np.linspace(-3, 3, 2000).reshape(2, 1000), 1000, "float32")]
    for logits, samples, dtype in multinomial + large:
        is_large = any(logits is entry[0] for entry in large)
        logits = np.array(logits, dtype=np.float64)
        for seed, seed_dtype in seeds[:1] if is_large else seeds[:3]:
            for output in ["int64"] if is_large else ["int32", "int64"]:
                out = R.StatelessMultinomial(logits=tf.constant(logits, dtype),
                                             num_samples=samples, seed=tf.constant(seed, seed_dtype),
                                             output_dtype=output)
                cases.append({"op": "StatelessMultinomial", "dtype": dtype,
                              "logits": [repr(float(x)) for x in logits.reshape(-1)],
                              "logits_shape": list(logits.shape), "samples": samples, "seed": text(seed),
                              "seed_dtype": seed_dtype, "output_dtype": output, "bits": bits(out)})
    return cases


def hexes(values):
    """Byte strings as hex, so any byte survives JSON."""
    return [bytes(v).hex() if isinstance(v, (bytes, bytearray)) else v.encode().hex() for v in values]


def numbers(values, dtype):
    """Flat values as exact decimal strings (integers) or Python reprs (floats)."""
    flat = np.reshape(np.array(values, dtype=object), -1)
    return [str(int(x)) if dtype.startswith("int") else repr(float(x)) for x in flat]


def text_cases():
    cases = []
    words = ["", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "fifteen bytes!!", "sixteen bytes!!!", "Café",
             "東京", "naïve façade", "\x00\x01\xff".encode("latin-1"), b"\xff\xfe invalid utf-8", "x" * 100,
             "The quick brown fox jumps over the lazy dog"]
    for key in [[0, 0], [1, 2], [-1, 2**63 - 1], [-(2**63), 12345], [0x0706050403020100, 0x0F0E0D0C0B0A0908]]:
        for buckets in [1, 10, 1000, 2**31 - 1, 2**62]:
            out = R.StringToHashBucketStrong(input=tf.constant(words), num_buckets=buckets, key=key)
            cases.append({"op": "StringToHashBucketStrong", "input": hexes(words), "key": text(key),
                          "num_buckets": str(buckets), "output": text(out.numpy())})
    # Keras's Hashing layer with a salt: the salt becomes the key.
    import keras
    layer = keras.layers.Hashing(num_bins=7, salt=[133, 137])
    out = layer(tf.constant(words))
    cases.append({"op": "StringToHashBucketStrong", "input": hexes(words), "key": ["133", "137"],
                  "num_buckets": "7", "output": text(np.array(out).reshape(-1))})

    tokens = ["a", "b", "c", "d", "Café", "", "東京"]
    layouts = [
        (tokens, [0, 7]), (tokens, [0, 2, 2, 3, 7]), (tokens, [0, 1, 1, 7]), ([], [0]), ([], [0, 0, 0]),
        (tokens, [0, 7, 7]), (["only"], [0, 1]),
    ]
    settings = [
        dict(separator=" ", ngram_widths=[2], left_pad="", right_pad="", pad_width=0, preserve_short_sequences=False),
        dict(separator=" ", ngram_widths=[1, 2, 3], left_pad="", right_pad="", pad_width=0,
             preserve_short_sequences=False),
        dict(separator="", ngram_widths=[3, 1], left_pad="", right_pad="", pad_width=0,
             preserve_short_sequences=False),
        dict(separator="|", ngram_widths=[2, 3], left_pad="<s>", right_pad="</s>", pad_width=-1,
             preserve_short_sequences=False),
        dict(separator="|", ngram_widths=[3], left_pad="<", right_pad=">", pad_width=1,
             preserve_short_sequences=False),
        dict(separator="_", ngram_widths=[5], left_pad="L", right_pad="R", pad_width=4,
             preserve_short_sequences=False),
        dict(separator="_", ngram_widths=[4], left_pad="L", right_pad="R", pad_width=2,
             preserve_short_sequences=False),
        dict(separator=" ", ngram_widths=[8], left_pad="", right_pad="", pad_width=0, preserve_short_sequences=True),
        dict(separator=" ", ngram_widths=[8], left_pad="L", right_pad="R", pad_width=1,
             preserve_short_sequences=True),
        dict(separator=" ", ngram_widths=[], left_pad="L", right_pad="R", pad_width=0, preserve_short_sequences=True),
        dict(separator=" ", ngram_widths=[], left_pad="L", right_pad="R", pad_width=2, preserve_short_sequences=True),
        dict(separator=" ", ngram_widths=[], left_pad="", right_pad="", pad_width=0, preserve_short_sequences=False),
        dict(separator="→", ngram_widths=[2, 2], left_pad="", right_pad="", pad_width=0,
             preserve_short_sequences=False),
        dict(separator=" ", ngram_widths=[3], left_pad="", right_pad="", pad_width=7,
             preserve_short_sequences=False),
    ]
    for data, splits in layouts:
        for split_dtype in ["int32", "int64"]:
            for attributes in settings:
                try:
                    ngrams, out_splits = R.StringNGrams(data=tf.constant(data, tf.string),
                                                        data_splits=tf.constant(splits, split_dtype), **attributes)
                    result = {"ngrams": hexes(ngrams.numpy().tolist()), "splits": text(out_splits.numpy())}
                except tf.errors.InvalidArgumentError as error:
                    result = {"error": error.message.split(" [Op:")[0].split("}} ")[-1]}
                cases.append({"op": "StringNGrams", "data": hexes(data), "data_splits": text(splits),
                              "splits_type": split_dtype, **{k: v for k, v in attributes.items() if k != "ngram_widths"},
                              "ngram_widths": attributes["ngram_widths"], **result})

    ranges = [
        ("int32", 0, 5, 1), ("int32", [0, 5, 3], [3, 0, 3], [1, -2, 1]), ("int32", [0, 1, 2], 10, 3),
        ("int32", 10, [0, 5, 20], -3), ("int32", [], [], []), ("int32", -(2**31), -(2**31) + 5, 2**31 - 1),
        ("int32", 2**31 - 3, 2**31 - 1, 1), ("int32", 2**31 - 1, -(2**31), -(2**31)), ("int32", [4], [4], [1]),
        ("int64", [-(2**62), 0], [-(2**62) + 3, 7], [1, 2]), ("int64", 2**63 - 2, 2**63 - 1, 1),
        ("int64", 0, 10, 2**63 - 1), ("int64", 5, 0, -(2**63)),
        ("float32", 0.5, 3.0, 0.7), ("float32", [0.0, 1.0], [1.0, 0.0], [0.1, -0.1]), ("float32", 0.0, 1e-6, 1e-7),
        ("float32", 1.0, 1.0, 0.5), ("float32", -1.0, 1.0, 1 / 3),
        ("float64", 0.5, 3.0, 0.7), ("float64", [0.0, 1.0], [1.0, 0.0], [0.1, -0.1]), ("float64", 0.0, 1.0, 1 / 3),
        ("float64", 1e15, 1e15 + 5, 1.0),
    ]
    for dtype, starts, limits, deltas in ranges:
        for split_dtype in ["int32", "int64"]:
            splits, values = R.RaggedRange(starts=tf.constant(starts, dtype), limits=tf.constant(limits, dtype),
                                           deltas=tf.constant(deltas, dtype), Tsplits=split_dtype)
            cases.append({"op": "RaggedRange", "dtype": dtype, "splits_type": split_dtype,
                          "starts": numbers(starts, dtype),
                          "starts_shape": list(np.shape(starts)), "limits": numbers(limits, dtype),
                          "limits_shape": list(np.shape(limits)), "deltas": numbers(deltas, dtype),
                          "deltas_shape": list(np.shape(deltas)),
                          "splits": text(splits.numpy()), "values": bits(values)})
    return cases


def error_text(error):
    return error.message.split(" [Op:")[0].split("}} ")[-1]


def unicode_cases():
    """UnicodeDecode(WithOffsets), UnicodeEncode and UnicodeTranscode over valid and broken text in
    every encoding the registry implements, under each error mode; UnicodeScript at every change
    of script."""
    cases = []
    utf8 = ["", "a", "Café", "東京", "😀 x", "\x00\x01\x1f\x7f\x80 c", b"\xff", b"\xc3", b"\xe6\x9d",
            b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"a\x80b",
            b"\xe2\x82a", b"\xf0\x9f\x98", b"\xf0\x9f\x98\x80\xff\xc3\xa9", b"\xc3\xa9\xe6\x9d\xb1x",
            b"\xe0\x80\xaf", b"\xef\xbf\xbf\xf4\x8f\xbf\xbf"]
    utf16 = ["", "Café", "😀", b"\xd8\x3d", b"\xde\x00", b"\x00a\x00", b"\xd8\x3d\x00a", b"\x00\x01\x00\x1f"]
    utf32 = ["", "Café😀", b"\x00\x11\x00\x00", b"\x00\x00\xd8\x00", b"\x00\x00\x00", b"\x00\x00\x00\x05"]

    def raw(values, encoding):
        return [v if isinstance(v, bytes) else v.encode(encoding) for v in values]

    inputs = [("UTF-8", raw(utf8, "utf-8")), ("UTF-16-BE", raw(utf16, "utf-16-be")),
              ("UTF-32-BE", raw(utf32, "utf-32-be"))]
    modes = [("strict", 65533, False), ("replace", 65533, False), ("replace", 63, True), ("ignore", 65533, False),
             ("ignore", 0, True), ("replace", 0, False), ("strict", 65533, True), ("replace", 0xD800, False),
             ("replace", 0x110000, True)]
    for encoding, values in inputs:
        for errors, replacement, control in modes:
            for value in values + [values]:  # each string alone, then all of them as one vector
                batch = value if isinstance(value, list) else [value]
                # Tsplits=int32 aborts TensorFlow 2.21 (a check failure: its kernel writes int64 splits).
                for splits_type in ["int64"]:
                    case = {"op": "UnicodeDecodeWithOffsets", "input": hexes(batch), "input_encoding": encoding,
                            "errors": errors, "replacement_char": replacement,
                            "replace_control_characters": control, "splits_type": splits_type}
                    try:
                        splits, chars, offsets = R.UnicodeDecodeWithOffsets(
                            input=tf.constant(batch, tf.string), input_encoding=encoding, errors=errors,
                            replacement_char=replacement, replace_control_characters=control, Tsplits=splits_type)
                        case.update({"splits": text(splits.numpy()), "chars": text(chars.numpy()),
                                     "offsets": text(offsets.numpy())})
                    except tf.errors.InvalidArgumentError as error:
                        case["error"] = error_text(error)
                    cases.append(case)
    # A matrix of strings: the splits run over its elements in row-major order.
    matrix = [["ab", "c"], ["", "東"]]
    splits, chars = R.UnicodeDecode(input=tf.constant(matrix), input_encoding="UTF-8")
    cases.append({"op": "UnicodeDecode", "input": hexes([w for row in matrix for w in row]), "shape": [2, 2],
                  "input_encoding": "UTF-8", "errors": "replace", "replacement_char": 65533,
                  "replace_control_characters": False, "splits_type": "int64", "splits": text(splits.numpy()),
                  "chars": text(chars.numpy())})

    codepoints = [[], [97], [67, 97, 102, 233], [0x6771, 0x4EAC], [0x1F600, 32, 120], [0, 31, 127],
                  [0xD800], [0xDFFF, 97], [0x110000], [-1, 98], [0x10FFFF, 0xFFFF], [65, 0xDC00, 66]]
    for encoding in ["UTF-8", "UTF-16-BE", "UTF-32-BE"]:
        for errors, replacement in [("strict", 65533), ("replace", 65533), ("replace", 63), ("ignore", 65533),
                                    ("replace", 0xD800), ("replace", -5)]:
            for rows in [[c] for c in codepoints] + [codepoints]:
                flat = [c for row in rows for c in row]
                splits = [0]
                for row in rows:
                    splits.append(splits[-1] + len(row))
                case = {"op": "UnicodeEncode", "input_values": text(flat), "input_splits": text(splits),
                        "output_encoding": encoding, "errors": errors, "replacement_char": replacement}
                try:
                    out = R.UnicodeEncode(input_values=tf.constant(flat, tf.int32),
                                          input_splits=tf.constant(splits, tf.int64), output_encoding=encoding,
                                          errors=errors, replacement_char=replacement)
                    case["output"] = hexes(out.numpy().tolist())
                except tf.errors.InvalidArgumentError as error:
                    case["error"] = error_text(error)
                cases.append(case)

    for source, values in inputs:
        for target in ["UTF-8", "UTF-16-BE", "UTF-32-BE"]:
            for errors, replacement, control in modes:
                case = {"op": "UnicodeTranscode", "input": hexes(values), "input_encoding": source,
                        "output_encoding": target, "errors": errors, "replacement_char": replacement,
                        "replace_control_characters": control}
                try:
                    out = R.UnicodeTranscode(input=tf.constant(values, tf.string), input_encoding=source,
                                             output_encoding=target, errors=errors, replacement_char=replacement,
                                             replace_control_characters=control)
                    case["output"] = hexes(out.numpy().tolist())
                except tf.errors.InvalidArgumentError as error:
                    case["error"] = error_text(error)
                cases.append(case)

    # UnicodeScript at both sides of every change of script (and past the ends), a matrix, and
    # values that are not code points.
    points = np.arange(0, 0x110000, dtype=np.int32)
    scripts = R.UnicodeScript(input=tf.constant(points)).numpy()
    changes = (np.flatnonzero(np.diff(scripts)) + 1).tolist()
    edges = sorted({0, 1, 0x10FFFE, 0x10FFFF} | {c for c in changes} | {c - 1 for c in changes})
    invalid = [-1, -2**31, 0x110000, 2**31 - 1, -0x10FFFF]
    for values, shape in [(edges + invalid, [len(edges) + len(invalid)]), ([0x41, 0x3042, 0x4E00, 0x300, 0x627, -1], [2, 3])]:
        out = R.UnicodeScript(input=tf.constant(np.array(values, np.int32).reshape(shape)))
        cases.append({"op": "UnicodeScript", "input_values": text(values), "shape": shape,
                      "output": text(out.numpy().reshape(-1))})
    return cases


def scale_and_translate_cases():
    """ScaleAndTranslate (tf.image.resize's lanczos, gaussian and mitchellcubic methods and its
    antialiased bilinear and bicubic) for every kernel, with and without antialiasing, over
    downsampling, upsampling, translations that move samples off the image, several input dtypes,
    NaN and infinities; the input and the float32 output as bit patterns."""
    kernels = ["lanczos1", "lanczos3", "lanczos5", "gaussian", "box", "triangle", "keyscubic", "mitchellcubic"]
    # (input shape NHWC, output [height, width], scale, translation)
    geometries = [
        ([1, 5, 7, 2], [3, 4], [3 / 5, 4 / 7], [0.0, 0.0]),
        ([2, 4, 3, 1], [9, 7], [9 / 4, 7 / 3], [0.0, 0.0]),
        ([1, 6, 6, 3], [6, 6], [1.3, 0.7], [-0.5, 1.25]),
        ([1, 5, 4, 1], [2, 8], [0.1, 3.0], [2.0, -4.0]),
        ([1, 1, 1, 2], [3, 2], [3.0, 2.0], [0.0, 0.0]),
        ([1, 12, 2, 1], [1, 5], [1 / 12, 2.5], [0.0, 0.0]),
    ]
    rng = np.random.RandomState(11)

    def image(shape, dtype):
        if dtype in ("float16", "bfloat16", "float32", "float64"):
            values = (rng.standard_normal(shape) * 50).astype(np.float32)
            return tf.cast(tf.constant(values), dtype)
        info = np.iinfo(dtype)
        low, high = max(int(info.min), -1000), min(int(info.max), 1000)
        return tf.constant(rng.randint(low, high + 1, size=shape).astype(dtype))

    def case_for(x, size, scale, translation, kernel, antialias):
        case = {"op": "ScaleAndTranslate", "dtype": x.dtype.name, "shape": list(x.shape), "input": bits(x),
                "size": size, "scale": bits(tf.constant(scale, tf.float32)),
                "translation": bits(tf.constant(translation, tf.float32)), "kernel_type": kernel,
                "antialias": antialias}
        try:
            out = R.ScaleAndTranslate(images=x, size=tf.constant(size, tf.int32),
                                      scale=tf.constant(scale, tf.float32),
                                      translation=tf.constant(translation, tf.float32),
                                      kernel_type=kernel, antialias=antialias)
            case["output_shape"] = list(out.shape)
            case["output"] = bits(out)
        except (tf.errors.InvalidArgumentError, tf.errors.InternalError) as error:
            case["error"] = error_text(error)
        return case

    cases = []
    for kernel in kernels:
        for antialias in (False, True):
            for shape, size, scale, translation in geometries:
                cases.append(case_for(image(shape, "float32"), size, scale, translation, kernel, antialias))
    for dtype in ["uint8", "int8", "int32", "int64", "uint16", "float16", "bfloat16", "float64"]:
        for kernel in ["lanczos3", "triangle", "keyscubic"]:
            cases.append(case_for(image([1, 5, 7, 2], dtype), [3, 9], [0.6, 9 / 7], [0.25, 0.0], kernel, True))
    special = np.array([1, np.nan, 3, np.inf, -np.inf, 6, 7, 8, 9], np.float32).reshape([1, 3, 3, 1])
    for kernel in ["lanczos3", "box", "triangle"]:
        cases.append(case_for(tf.constant(special), [2, 5], [2 / 3, 5 / 3], [0.0, 0.0], kernel, True))
    plain = image([1, 3, 3, 1], "float32")
    for size, scale, translation, kernel in [
        ([0, 3], [1.0, 1.0], [0.0, 0.0], "lanczos3"),
        ([3, 3], [0.0, 1.0], [0.0, 0.0], "lanczos3"),
        ([3, 3], [1.0, -2.0], [0.0, 0.0], "lanczos3"),
        ([3, 3], [1.0, 1.0], [0.0, 0.0], "cubic"),
    ]:
        cases.append(case_for(plain, size, scale, translation, kernel, False))
    cases.append(case_for(tf.zeros([1, 0, 3, 1]), [2, 2], [1.0, 1.0], [0.0, 0.0], "lanczos3", False))
    # Hostile geometry: NaN and infinite translations, an infinite scale, a scale so small that the
    # antialiased filter's span wraps TensorFlow's int to 1 (a sample inside the image then fails,
    # one outside gives zeros), and a dimension of exactly INT32_MAX. (A span between 2^30 and 2^31
    # makes TensorFlow abort, so it has no vector; the registry refuses it.)
    for scale, translation in [([1.0, 1.0], [float("nan"), 0.0]), ([1.0, 1.0], [float("inf"), float("-inf")]),
                               ([float("inf"), 1.0], [0.0, 0.0]), ([1e-9, 1e-9], [0.5, 0.5]),
                               ([1e-9, 1e-9], [0.0, 0.0])]:
        cases.append(case_for(plain, [2, 3], scale, translation, "lanczos3", True))
    cases.append(case_for(tf.zeros([0, 2**31 - 1, 1, 1]), [2, 2], [1.0, 1.0], [0.0, 0.0], "lanczos3", False))
    return cases


def tensor_json(tensor):
    """dtype, shape and elements as bit patterns; complex values as (real, imaginary) part pairs."""
    name = tensor.dtype.name
    array = tensor.numpy()
    if name == "complex64":
        flat = [str(int(x)) for x in array.reshape(-1).view(np.float32).view(np.uint32)]
    elif name == "complex128":
        flat = [str(int(x)) for x in array.reshape(-1).view(np.float64).view(np.uint64)]
    else:
        flat = bits(tensor)
    return {"dtype": name, "shape": list(tensor.shape), "bits": flat}


def signal_cases():
    """Complex, Real, Imag, Conj, ComplexAbs, Angle, complex Cast and arithmetic, and the FFT
    family (FFT/IFFT/RFFT/IRFFT in 1, 2 and 3 dimensions) over many lengths, prime ones included,
    batch dimensions, fft_length crops, NaN and infinities, empty tensors, and TensorFlow's
    refusals. (fft_length 0 and an RFFT of an empty inner dimension have no vector: TensorFlow
    aborts on the first and returns uninitialised memory for the second; the registry refuses
    both.)"""
    rng = np.random.RandomState(5)
    lengths = [1, 2, 3, 5, 8, 12, 16, 17, 64, 100, 257]
    cases = []

    def real(shape, dtype="float32"):
        return tf.constant(rng.standard_normal(shape).astype(dtype))

    def cplx(shape, dtype="complex64"):
        part = "float32" if dtype == "complex64" else "float64"
        return tf.complex(real(shape, part), real(shape, part))

    def case(op, inputs, attrs=None, call=None):
        entry = {"op": op, "inputs": [tensor_json(x) for x in inputs], "attrs": attrs or {}}
        try:
            out = call() if call else getattr(R, op)(*inputs, **(attrs or {}))
            entry["output"] = tensor_json(out)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as error:
            entry["error"] = error_text(error)
        cases.append(entry)

    def fft(op, x):
        case(op, [x], {}, lambda: getattr(R, op)(input=x))

    def rfft(op, x, n):
        length = tf.constant(n, tf.int32)
        attrs = {"Tcomplex": "complex64" if x.dtype == tf.float32 else "complex128"}
        case(op, [x, length], attrs, lambda: getattr(R, op)(input=x, fft_length=length, Tcomplex=attrs["Tcomplex"]))

    def irfft(op, x, n):
        length = tf.constant(n, tf.int32)
        attrs = {"Treal": "float32" if x.dtype == tf.complex64 else "float64"}
        case(op, [x, length], attrs, lambda: getattr(R, op)(input=x, fft_length=length, Treal=attrs["Treal"]))

    for n in lengths:
        for op in ["FFT", "IFFT"]:
            fft(op, cplx([2, n]))
        rfft("RFFT", real([2, n]), [n])
        rfft("RFFT", real([3, n + 3]), [n])  # cropped
        irfft("IRFFT", cplx([2, n // 2 + 1]), [n])  # DC and Nyquist imaginary parts set: ignored
        irfft("IRFFT", cplx([2, n // 2 + 4]), [n])  # cropped
    for n in [5, 16, 17]:
        fft("FFT", cplx([n], "complex128"))
        fft("IFFT", cplx([3, n], "complex128"))
        rfft("RFFT", real([2, n], "float64"), [n])
        irfft("IRFFT", cplx([2, n // 2 + 1], "complex128"), [n])
    fft("FFT", cplx([2, 1000]))
    for shape in [[2, 3, 5], [4, 8], [1, 6, 7], [17, 4]]:
        for op in ["FFT2D", "IFFT2D"]:
            fft(op, cplx(shape))
        rfft("RFFT2D", real(shape), shape[-2:])
        rfft("RFFT2D", real([s + 1 for s in shape]), shape[-2:])
        irfft("IRFFT2D", cplx(shape[:-2] + [shape[-2], shape[-1] // 2 + 1]), shape[-2:])
        irfft("IRFFT2D", cplx(shape[:-2] + [shape[-2] + 2, shape[-1] // 2 + 3]), shape[-2:])
    for shape in [[2, 3, 4, 5], [3, 3, 3], [1, 2, 5, 6]]:
        for op in ["FFT3D", "IFFT3D"]:
            fft(op, cplx(shape))
        rfft("RFFT3D", real(shape), shape[-3:])
        irfft("IRFFT3D", cplx(shape[:-3] + shape[-3:-1] + [shape[-1] // 2 + 1]), shape[-3:])
    fft("FFT2D", cplx([2, 4, 6], "complex128"))
    rfft("RFFT2D", real([3, 4, 6], "float64"), [4, 6])
    irfft("IRFFT2D", cplx([3, 4, 4], "complex128"), [4, 6])
    # NaN and infinities: a NaN spreads over its line; infinities as the transform spreads them.
    special = np.array([[1, np.nan, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]], np.float32)
    fft("FFT", tf.complex(tf.constant(special), tf.zeros([2, 8])))
    rfft("RFFT", tf.constant(special), [8])
    rfft("RFFT", tf.constant(special[:, :5]), [5])
    fft("FFT2D", tf.complex(tf.constant(special.reshape([2, 2, 4])), tf.zeros([2, 2, 4])))
    irfft("IRFFT", tf.complex(tf.constant(special[:, :5]), tf.zeros([2, 5])), [8])
    infinite = np.array([[1, np.inf, 3, 4, 0, 0, 0, 0]], np.float32)
    rfft("RFFT", tf.constant(infinite), [8])
    rfft("RFFT", tf.constant(infinite[:, :5]), [5])
    fft("FFT", tf.complex(tf.constant([[1.0, 2, -np.inf, 4]], tf.float32), tf.zeros([1, 4])))
    # Empty tensors, and the refusals.
    fft("FFT", tf.zeros([0, 8], tf.complex64))
    fft("IFFT2D", tf.zeros([3, 0, 4], tf.complex64))
    rfft("RFFT", tf.zeros([0, 5]), [5])
    irfft("IRFFT", tf.zeros([0, 3], tf.complex64), [4])
    rfft("RFFT", real([2, 5]), [8])  # longer than the input: TensorFlow's kernel does not pad
    irfft("IRFFT", cplx([2, 3]), [9])
    rfft("RFFT", real([2, 5]), [-1])
    fft("FFT", tf.constant(1 + 2j, tf.complex64))

    # Complex numbers taken apart and put together.
    values = np.array([0.0, -0.0, 1.5, -2.25, np.nan, np.inf, -np.inf, 1e-40, 3e38, -7.0], np.float32)
    mixed = tf.complex(tf.constant(values), tf.constant(values[::-1].copy()))
    for dtype in ["complex64", "complex128"]:
        x = mixed if dtype == "complex64" else tf.cast(mixed, tf.complex128)
        part = "float32" if dtype == "complex64" else "float64"
        for op in ["Real", "Imag", "ComplexAbs", "Angle"]:
            case(op, [x], {"Tout": part}, lambda op=op, x=x: getattr(R, op)(input=x, Tout=part)
                 if op != "ComplexAbs" else R.ComplexAbs(x=x, Tout=part))
        case("Conj", [x], {}, lambda x=x: R.Conj(input=x))
        y = cplx([4, 3], dtype)
        case("ComplexAbs", [y], {"Tout": part}, lambda y=y: R.ComplexAbs(x=y, Tout=part))
        case("Angle", [y], {"Tout": part}, lambda y=y: R.Angle(input=y, Tout=part))
    a, b = real([2, 3]), real([3])
    case("Complex", [a, b], {"Tout": "complex64"}, lambda: R.Complex(real=a, imag=b, Tout=tf.complex64))
    a64, b64 = real([4, 1], "float64"), real([1, 5], "float64")
    case("Complex", [a64, b64], {"Tout": "complex128"}, lambda: R.Complex(real=a64, imag=b64, Tout=tf.complex128))
    special_parts = tf.constant(values)
    case("Complex", [special_parts, special_parts[::-1]], {"Tout": "complex64"},
         lambda: R.Complex(real=special_parts, imag=special_parts[::-1], Tout=tf.complex64))
    case("Complex", [a, b64], {"Tout": "complex64"}, lambda: R.Complex(real=a, imag=b64, Tout=tf.complex64))

    # Cast to and from complex: the real part is kept, a real value gets a zero imaginary part.
    # (No subnormals: whether TensorFlow flushes them depends on whether an element falls in a
    # vectorised packet or the scalar tail. No NaN or out-of-range value to an integer: C++
    # leaves those undefined; the registry's Cast saturates them, for every source type alike.)
    normal = values[np.abs(values) != np.float32(1e-40)]
    sources = [tf.constant(normal), tf.cast(tf.constant(normal), tf.float64), tf.constant([-3, 0, 7], tf.int32),
               tf.constant([-(2**40), 5], tf.int64), tf.constant([True, False]), tf.constant([1.5, -2], tf.float16),
               tf.constant([255, 0], tf.uint8)]
    for x in sources:
        for target in ["complex64", "complex128"]:
            case("Cast", [x], {"DstT": target}, lambda x=x, t=target: R.Cast(x=x, DstT=t))
    z = tf.complex(tf.constant([2.7, -3.5, 0, np.nan, 1e10, 0.5], tf.float32),
                   tf.constant([1, -1, 1, 0, 0, np.inf], tf.float32))
    for target in ["float32", "float64", "bool", "float16", "complex128"]:
        case("Cast", [z], {"DstT": target}, lambda t=target: R.Cast(x=z, DstT=t))
    in_range = tf.complex(tf.constant([2.7, 0, 200.5, 99.99], tf.float32), tf.constant([1, -1, 1, 7], tf.float32))
    for target in ["int32", "int64", "uint8"]:
        case("Cast", [in_range], {"DstT": target}, lambda t=target: R.Cast(x=in_range, DstT=t))
    case("Cast", [-in_range], {"DstT": "int32"}, lambda: R.Cast(x=-in_range, DstT="int32"))
    z128 = tf.cast(z, tf.complex128) * tf.constant(1.0000001 + 0j, tf.complex128)
    for target in ["complex64", "float32"]:
        case("Cast", [z128], {"DstT": target}, lambda t=target: R.Cast(x=z128, DstT=t))

    # Arithmetic as tf.signal graphs write it, with broadcasting.
    for dtype in ["complex64", "complex128"]:
        x, y = cplx([3, 4], dtype), cplx([4], dtype)
        for op in ["Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "Equal", "NotEqual", "SquaredDifference"]:
            case(op, [x, y], {}, lambda op=op, x=x, y=y: getattr(R, op)(x=x, y=y))
        case("Equal", [x, x], {}, lambda x=x: R.Equal(x=x, y=x))
        for op in ["Neg", "Square", "Exp", "Sqrt", "Reciprocal", "Log", "Rsqrt", "Sign"]:
            case(op, [x], {}, lambda op=op, x=x: getattr(R, op)(x=x))
        for op in ["Sum", "Mean", "Prod"]:
            axis = tf.constant([1], tf.int32)
            case(op, [x, axis], {}, lambda op=op, x=x, axis=axis: getattr(R, op)(input=x, axis=axis))
    angles = tf.complex(tf.zeros([6]), tf.constant([0, 0.5, -1, 3.14159265, 100, 1e-3], tf.float32))
    case("Exp", [angles], {}, lambda: R.Exp(x=angles))
    edge = tf.complex(tf.constant([0, -4, 0, np.inf, np.nan, 1e-30], tf.float32),
                      tf.constant([0, 0, -0.0, 1, 0, 0], tf.float32))
    case("Sqrt", [edge], {}, lambda: R.Sqrt(x=edge))
    case("Mul", [edge, mixed[:6]], {}, lambda: R.Mul(x=edge, y=mixed[:6]))
    return cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    random = random_cases()
    (OUT / "stateless_random.json").write_text(
        json.dumps({"tensorflow": tf.__version__, "cases": random}, separators=(",", ":")) + "\n")
    print(f"stateless_random.json: {len(random)} cases")
    texts = text_cases()
    (OUT / "text_ops.json").write_text(
        json.dumps({"tensorflow": tf.__version__, "cases": texts}, separators=(",", ":"), ensure_ascii=True) + "\n")
    print(f"text_ops.json: {len(texts)} cases")
    unicode = unicode_cases()
    (OUT / "unicode_ops.json").write_text(
        json.dumps({"tensorflow": tf.__version__, "cases": unicode}, separators=(",", ":"), ensure_ascii=True) + "\n")
    print(f"unicode_ops.json: {len(unicode)} cases")
    resizes = scale_and_translate_cases()
    (OUT / "scale_and_translate.json").write_text(
        json.dumps({"tensorflow": tf.__version__, "cases": resizes}, separators=(",", ":")) + "\n")
    print(f"scale_and_translate.json: {len(resizes)} cases")
    signal = signal_cases()
    (OUT / "signal_ops.json").write_text(
        json.dumps({"tensorflow": tf.__version__, "cases": signal}, separators=(",", ":")) + "\n")
    print(f"signal_ops.json: {len(signal)} cases")


if __name__ == "__main__":
    main()
