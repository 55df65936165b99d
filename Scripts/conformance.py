"""Random Keras models run by `registry run` and checked against TensorFlow.

    Scripts/conformance.sh [COUNT] [SEED] [--kinds KIND,...] [--tf-only]
                                        (default 30 models, seed 0, every kind)

Each model is built by Keras 3 with random layer choices, random sizes and weights, exported with
`model.export()`, run by TensorFlow on a random batch, then by `registry run` on the same `.npy`
input; outputs must have TensorFlow's shape and dtype, floats within relative 1e-4 and absolute
1e-5, integers and strings exactly. Prints one line per model and a summary; exits 1 if any model
disagrees or fails (ERR: Keras or TensorFlow itself failed on a generated model).

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
  text         Text preprocessing over random vocabularies (random lower-case words with some
               Unicode, capitalised or punctuated ones), given as a list or as a file path (saved
               as an asset): TextVectorization with random standardize (None, lower,
               strip_punctuation, lower_and_strip_punctuation), split (whitespace or None),
               output_mode int (random or no output_sequence_length), multi_hot, count or tf_idf
               (random IDF weights), max_tokens and pad_to_max_tokens; or StringLookup or
               IntegerLookup with random num_oov_indices (1 to 3; IntegerLookup floormod or
               farmhash), mask_token, output_mode int, one_hot, multi_hot or count, max_tokens,
               sometimes invert=True. Int outputs are often followed by Embedding, pooling
               (average, max or Flatten) and Dense, bags by Dense, so floats are compared too.
               Inputs: string tensors [batch] or [batch, 1] (lookups also [batch, k]), rows of
               vocabulary and out-of-vocabulary words in random case with punctuation, runs of
               ASCII whitespace (and a no-break space), Unicode ("Café", "naïve", "東京"), empty and
               blank strings, saved as a NumPy `U` or `S` array (int64 for IntegerLookup and
               invert). Left out: ngrams and split="character" (the tokens kind has them, so old
               seeds keep their models here) and num_oov_indices=0 (Keras's OOV check).

Kinds added by issue 13, run only when named in `--kinds` (so the default cycle, and old seeds,
stay as they were):

  convolution  Conv1D (random dilation, causal/same/valid padding), grouped Conv2D (`groups` 2 to
               4, as ConvNeXt and RegNet write it) and Conv2DTranspose with random stride and
               padding, then pooling and Dense.
  resizing     Keras preprocessing over images: Resizing (bilinear, nearest, bicubic or area,
               sometimes crop_to_aspect_ratio) or CenterCrop, then Rescaling and sometimes a
               Conv2D; or Discretization of float features into random bin boundaries.
  ranking      keras.ops over float rows: sort, argsort, top_k (random k), segment_sum and
               segment_max (random segment ids from the data), each as the model's output.
  tokens       The TextVectorization settings the text kind leaves out: split="character"
               (UnicodeDecodeWithOffsets and UnicodeEncode: a vocabulary of characters, Unicode
               ones included) and ngrams 2 or 3, or (1, 2, 3), over whitespace or characters,
               with random standardize and output_mode int (with or without a fixed length),
               multi_hot or count, sometimes an Embedding or Dense head; inputs as the text kind's.
  lookups      StringLookup or IntegerLookup with num_oov_indices=0 (the setting the text kind
               leaves out): Keras checks every input for words outside the vocabulary (Assert,
               GatherNd, StringFormat). Inputs hold vocabulary words; then one word outside it
               must be refused by both TensorFlow and the registry.
  resampling   Resizing with the methods that run through ScaleAndTranslate: lanczos3, lanczos5,
               gaussian, mitchellcubic (with or without antialias; the last two through
               tf.image.resize in a layer, since Keras's Resizing lacks them), bilinear or bicubic
               with antialias; up or down, sometimes crop_to_aspect_ratio, then Rescaling and
               sometimes a Conv2D.
  applications Every Keras application in turn (ResNet50/V2, DenseNet121, Xception, InceptionV3,
               InceptionResNetV2, NASNetMobile, VGG16, ConvNeXtTiny, RegNetX/Y002,
               EfficientNetB0/V2B0, MobileNet/V2/V3 small), without its top, at its smallest input
               size plus 0-8 pixels, with Keras's own initialisation, average pooling and a Dense
               head. COUNT 17 runs each once.
  signal       A plain tf.Module (no Keras) over tf.signal and complex numbers, one signature:
               stft with random frame_length, frame_step, fft_length (none, larger, not a power
               of two), window (Hann, Hamming, none) and pad_end, as its complex64 output or its
               magnitude; an stft/inverse_stft round trip; rfft/irfft (fft_length cropping or
               padding, odd and prime lengths) and fft/ifft, 2-D and 3-D forms on random shapes,
               complex64 inputs given as `<c8` .npy files; mfccs of a random log-mel input; dct
               types 2 and 3 (ortho or not, sometimes a truncating or padding n) and idct; and
               complex arithmetic (Complex, conj, Mul, RealDiv, Exp, Sqrt, abs, angle, real,
               imag, Cast). Complex outputs compare part by part.

`--tf-only` builds, exports and runs every model with TensorFlow only (the registry is not
called, and conformance.sh skips the Swift build): a dry run of the generators.
"""
import argparse
import itertools
import os
import random
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402

KINDS = ["dense", "conv", "recurrent", "transformer", "text", "convolution", "resizing", "ranking", "tokens",
         "resampling", "applications", "signal", "lookups"]
DEFAULT_KINDS = ["dense", "conv", "recurrent", "transformer", "text"]
# The cycle models follow: conv twice as often (with only dense and conv selected this is the
# dense, conv, conv order the script has always used, so old seeds give the same models; text
# comes last, so without it a seed gives the same models as before text existed).
SCHEDULE = ["dense", "conv", "conv", "recurrent", "transformer", "text", "convolution", "resizing", "ranking",
            "tokens", "resampling", "applications", "signal", "lookups"]


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


# Text: vocabularies of random lower-case ASCII words with a few Unicode, capitalised or
# punctuated ones; inputs mix them with out-of-vocabulary words, random case and punctuation.
LETTERS = "abcdefghijklmnopqrstuvwxyz"
UNICODE_WORDS = ["café", "Café", "naïve", "東京", "日本語", "straße", "über", "Ωmega", "ΣΟΦΙΑ", "señor", "jalapeño",
                 "İstanbul", "ÉCOLE", "Ñandú", "москва", "😀"]
ODD_WORDS = ["don't", "e-mail", "U.S.A", "C++", "Hello", "WORLD", "x_y", "#tag", "3.14", "42"]
PUNCTUATION = [".", ",", "!", "?", ";", ":", "'s", "...", ")", "\"", "-"]
WHITESPACE = [" ", " ", " ", " ", "  ", "   ", "\t", "\n", " \t ", "\r\n", "\x0b", "\x0c", "\u00a0"]
SPECIAL_TOKENS = {"", "[UNK]", "[MASK]"}


def random_word(rng):
    """1 to 7 random lower-case ASCII letters."""
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 7)))


def random_vocabulary(rng, size):
    """`size` distinct tokens, mostly plain lower-case words, no special token, no whitespace."""
    words = []
    while len(words) < size:
        roll = rng.random()
        word = rng.choice(UNICODE_WORDS) if roll < 0.1 else rng.choice(ODD_WORDS) if roll < 0.2 else random_word(rng)
        if word not in words and word not in SPECIAL_TOKENS:
            words.append(word)
    return words


def out_of_vocabulary(rng, vocabulary):
    """A word outside the vocabulary: Unicode, punctuated, "[UNK]" itself or random letters."""
    while True:
        roll = rng.random()
        word = (rng.choice(UNICODE_WORDS) if roll < 0.25 else rng.choice(ODD_WORDS) if roll < 0.35
                else "[UNK]" if roll < 0.4 else random_word(rng))
        if word not in vocabulary:
            return word


def decorate(rng, word):
    """The word in a random case, sometimes with punctuation around it."""
    roll = rng.random()
    if roll < 0.15:
        word = word.upper()
    elif roll < 0.3:
        word = word.capitalize()
    elif roll < 0.4:
        word = "".join(c.upper() if rng.random() < 0.5 else c for c in word)
    if rng.random() < 0.25:
        word += rng.choice(PUNCTUATION)
    if rng.random() < 0.1:
        word = rng.choice(["(", "\"", "'", "¿", "--"]) + word
    return word


def sentence(rng, vocabulary):
    """Random words from the vocabulary and outside it, joined by runs of whitespace; sometimes
    empty or only whitespace."""
    roll = rng.random()
    if roll < 0.1:
        return ""
    if roll < 0.15:
        return rng.choice(WHITESPACE) * rng.randint(1, 3)
    words = [decorate(rng, rng.choice(vocabulary) if rng.random() < 0.65 else out_of_vocabulary(rng, vocabulary))
             for _ in range(rng.randint(1, 7))]
    text = "".join(w + rng.choice(WHITESPACE) for w in words[:-1]) + words[-1]
    if rng.random() < 0.2:
        text = rng.choice(WHITESPACE) + text
    if rng.random() < 0.2:
        text += rng.choice(WHITESPACE)
    return text


def whole_token(rng, vocabulary):
    """One string meant as a single token: a vocabulary word (as is or decorated), an
    out-of-vocabulary word, an empty string or a phrase."""
    roll = rng.random()
    if roll < 0.6:
        word = rng.choice(vocabulary)
        return word if rng.random() < 0.5 else decorate(rng, word)
    if roll < 0.8:
        return out_of_vocabulary(rng, vocabulary)
    if roll < 0.9:
        return ""
    return sentence(rng, vocabulary)


def string_array(rng, rows, shape):
    """The strings as a NumPy `U` (unicode) or `S` (UTF-8 bytes) array of `shape`."""
    if rng.random() < 0.5:
        return np.array(rows, dtype=str).reshape(shape)
    return np.array([r.encode("utf-8") for r in rows], dtype=bytes).reshape(shape)


def vocabulary_argument(rng, words, directory, allow_file=True):
    """The vocabulary as a list, or as a file path (then Keras saves it as an asset)."""
    if not allow_file or rng.random() < 0.5:
        return words, "list"
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "vocabulary.txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(f"{w}\n" for w in words))
    return path, "file"


def embedding_head(keras, rng, x, vocabulary_size, fixed_length):
    """Embedding of the token ids (+ pooling when there is a sequence axis) and a Dense layer."""
    x = keras.layers.Embedding(vocabulary_size, rng.randint(2, 8))(x)
    pooling = None
    if len(x.shape) == 3:
        choices = ["GlobalAveragePooling1D", "GlobalMaxPooling1D"] + (["Flatten"] if fixed_length else [])
        pooling = rng.choice(choices)
        x = getattr(keras.layers, pooling)()(x)
    x = keras.layers.Dense(rng.randint(1, 6), activation=activation(rng))(x)
    return x, "Embedding" + (f"+{pooling}" if pooling else "") + "+Dense"


def vectorization_head(keras, rng, x, layer, mode, length, notes):
    """An Embedding head over token ids, or a Dense layer over bags; its name goes into `notes`."""
    if mode == "int":
        x, head = embedding_head(keras, rng, x, layer.vocabulary_size(), length is not None)
    else:
        x = keras.layers.Dense(rng.randint(1, 6), activation=activation(rng))(x)
        head = "Dense"
    notes.append(head)
    return x


def text_vectorization_model(keras, rng, rng_np, directory):
    words = random_vocabulary(rng, rng.randint(1, 20))
    standardize = rng.choice([None, "lower", "strip_punctuation", "lower_and_strip_punctuation"])
    split = rng.choice(["whitespace", "whitespace", None])
    mode = rng.choice(["int", "int", "multi_hot", "count", "tf_idf"])
    options = {"standardize": standardize, "split": split, "output_mode": mode}
    notes = [f"standardize={standardize}", f"split={split}", mode]
    length = None
    if mode == "int" and rng.random() < 0.6:
        length = rng.randint(1, 8)
        options["output_sequence_length"] = length
        notes.append(f"length {length}")
    if rng.random() < 0.4:  # room for the mask (int), the OOV token and the words, plus some
        options["max_tokens"] = len(words) + 2 + rng.randint(0, 4)
        notes.append(f"max_tokens {options['max_tokens']}")
        if mode != "int" and rng.random() < 0.5:
            options["pad_to_max_tokens"] = True
            notes.append("padded")
    if mode == "tf_idf":  # Keras takes tf_idf vocabularies as lists only
        options["idf_weights"] = [float(w) for w in rng_np.uniform(0.1, 3.0, size=len(words)).round(3)]
    options["vocabulary"], where = vocabulary_argument(rng, words, directory, allow_file=mode != "tf_idf")
    notes.insert(0, f"vocabulary {len(words)} ({where})")
    with_head = rng.random() < 0.5
    # A string per row, [batch] or [batch, 1]. Without a split the whole string is the token and
    # only [batch, 1] keeps rows apart (bags, fixed lengths) and has the 2-D shape Keras declares.
    shape = (1,) if (split is None and (mode != "int" or length or with_head)) or rng.random() < 0.5 else ()
    layer = keras.layers.TextVectorization(**options)
    inputs = keras.Input(shape, dtype="string")
    x = layer(inputs)
    pooled = False  # pooling over a sequence as long as the batch's longest row
    if with_head:
        pooled = mode == "int" and split is not None and length is None
        x = vectorization_head(keras, rng, x, layer, mode, length, notes)

    def sample(batch):
        rows = [sentence(rng, words) if split else whole_token(rng, words) for _ in range(batch)]
        if pooled and not any(c.isascii() and c.isalpha() for c in "".join(rows)):
            rows[0] += " " + rng.choice(words + [random_word(rng)])  # pooling needs one token in the batch
        return string_array(rng, rows, (batch,) + shape)
    return keras.Model(inputs, x), sample, "TextVectorization(" + ", ".join(notes) + ")"


def lookup_model(keras, rng, rng_np, directory, zero_oov=False):
    """StringLookup or IntegerLookup (see the text kind); with `zero_oov`, num_oov_indices=0, whose
    Keras graph checks every input with Assert (GatherNd, StringFormat): samples then hold only
    vocabulary words, and `sample.refused` makes one with a word outside it, which must fail."""
    integer = rng.random() < 0.3
    mode = rng.choice(["int", "int", "one_hot", "multi_hot", "count"])
    invert = mode == "int" and rng.random() < 0.15
    size = rng.randint(1, 20)
    if integer:
        words = [int(v) for v in rng_np.choice(np.arange(1, 500), size=size, replace=False)]
        mask = rng.choice([None, None, 0])
    else:
        words = random_vocabulary(rng, size)
        mask = rng.choice([None, None, "", "[MASK]"])
    # num_oov_indices=0 only in the lookups kind, so the text kind's seeds give the models they
    # always have.
    oov = rng.choice([1, 1, 2, 3]) if not invert else 1
    if zero_oov:
        invert = False
        oov = 0
    options = {"num_oov_indices": oov, "mask_token": mask, "output_mode": mode, "invert": invert}
    notes = [f"vocabulary {len(words)}", f"oov {oov}", f"mask {mask!r}", mode]
    if integer and oov > 1 and rng.random() < 0.5:  # OOV buckets by FarmHash of AsString, not floormod
        options["oov_method"] = "farmhash"
        notes.append("farmhash")
    if invert:
        notes.append("invert")
    if mode != "int" and rng.random() < 0.4:
        options["max_tokens"] = len(words) + oov + 1 + rng.randint(0, 4)
        options["pad_to_max_tokens"] = True
        notes.append(f"padded to {options['max_tokens']}")
    options["vocabulary"], where = vocabulary_argument(rng, [str(w) for w in words] if integer else words, directory)
    if integer and where == "list":
        options["vocabulary"] = words
    notes[0] += f" ({where})"
    layer = (keras.layers.IntegerLookup if integer else keras.layers.StringLookup)(**options)
    if mode == "one_hot":
        shape = rng.choice([(), (1,)])
    elif mode == "int":
        shape = rng.choice([(), (1,), (rng.randint(2, 5),)])
    else:
        shape = rng.choice([(1,), (rng.randint(2, 5),)])
    dtype = "int64" if invert or integer else "string"
    inputs = keras.Input(shape, dtype=dtype)
    x = layer(inputs)
    vocabulary_size = layer.vocabulary_size()
    if not invert and rng.random() < 0.5:
        if mode == "int":
            x, head = embedding_head(keras, rng, x, vocabulary_size, True)
        else:
            x = keras.layers.Dense(rng.randint(1, 6), activation=activation(rng))(x)
            head = "Dense"
        notes.append(head)

    def sample(batch):
        count = batch * int(np.prod(shape, dtype=int))
        if zero_oov:  # vocabulary words (and the mask), nothing Keras's check refuses
            rows = [rng.choice(words) if mask is None or rng.random() < 0.85 else mask for _ in range(count)]
            if integer:
                return np.array(rows, dtype=np.int64).reshape((batch,) + shape)
            return string_array(rng, rows, (batch,) + shape)
        if invert:  # ids, some out of range
            return rng_np.integers(-1, vocabulary_size + 3, size=(batch,) + shape).astype(np.int64)
        rows = []
        for _ in range(count):
            roll = rng.random()
            if roll < 0.6:
                rows.append(rng.choice(words) if mask is None or rng.random() < 0.85 else mask)
            elif integer:
                rows.append(rng.choice([mask if mask is not None else 0, rng.randint(-50, 600), rng.randint(500, 10**6)]))
            elif roll < 0.75:
                rows.append(out_of_vocabulary(rng, words))
            elif roll < 0.85:
                rows.append(decorate(rng, rng.choice(words)))
            else:
                rows.append(rng.choice(["", " ", "[MASK]", "[UNK]", rng.choice(words) + " "]))
        if integer:
            return np.array(rows, dtype=np.int64).reshape((batch,) + shape)
        return string_array(rng, rows, (batch,) + shape)
    if zero_oov:
        def refused(batch):
            x = sample(batch)
            outside = rng.randint(10**6, 10**7) if integer else out_of_vocabulary(rng, words)
            x.reshape(-1)[rng.randrange(x.size)] = outside
            return x
        sample.refused = refused
    name = "IntegerLookup" if integer else "StringLookup"
    return keras.Model(inputs, x), sample, f"{name}(" + ", ".join(notes) + ")"


def lookups_model(keras, rng, rng_np, directory):
    """A StringLookup or IntegerLookup with num_oov_indices=0 (see `lookup_model`)."""
    return lookup_model(keras, rng, rng_np, directory, zero_oov=True)


def text_model(keras, rng, rng_np, directory):
    """A TextVectorization or lookup model; a vocabulary file, if any, goes into `directory`."""
    if rng.random() < 0.55:
        return text_vectorization_model(keras, rng, rng_np, directory)
    return lookup_model(keras, rng, rng_np, directory)


BUILDERS = {"dense": dense_model, "conv": conv_model, "recurrent": recurrent_model, "transformer": transformer_model,
            "text": text_model}


def convolution_model(keras, rng, rng_np):
    """Conv1D with dilation, grouped Conv2D or Conv2DTranspose (see the module docstring)."""
    choice = rng.choice(["conv1d", "grouped", "transpose"])
    if choice == "conv1d":
        steps, channels = rng.randint(8, 24), rng.randint(1, 5)
        inputs = keras.Input((steps, channels))
        x = inputs
        for _ in range(rng.randint(1, 3)):
            dilation = rng.choice([1, 2, 3])
            padding = rng.choice(["same", "valid", "causal"])
            kernel = rng.choice([2, 3, 5])
            if x.shape[1] < (kernel - 1) * dilation + 2:
                padding = "same"
            x = keras.layers.Conv1D(rng.randint(1, 8), kernel, dilation_rate=dilation, padding=padding,
                                    activation=activation(rng))(x)
        x = keras.layers.GlobalAveragePooling1D()(x) if rng.random() < 0.5 else keras.layers.Flatten()(x)
        sample_shape = (steps, channels)
        notes = "conv1d"
    else:
        size = rng.randint(6, 16)
        groups = rng.randint(2, 4)
        channels = groups * rng.randint(1, 3)
        inputs = keras.Input((size, size, channels))
        x = inputs
        if choice == "grouped":
            x = keras.layers.Conv2D(groups * rng.randint(1, 3), rng.choice([1, 3, 5]), groups=groups,
                                    strides=rng.choice([1, 2]), padding=rng.choice(["same", "valid"]),
                                    activation=activation(rng))(x)
        else:
            x = keras.layers.Conv2DTranspose(rng.randint(1, 6), rng.choice([2, 3, 4]), strides=rng.choice([1, 2]),
                                             padding=rng.choice(["same", "valid"]), activation=activation(rng))(x)
        x = keras.layers.GlobalAveragePooling2D()(x) if rng.random() < 0.5 else keras.layers.Flatten()(x)
        sample_shape = (size, size, channels)
        notes = f"{choice} groups {groups}" if choice == "grouped" else choice
    x = keras.layers.Dense(rng.randint(1, 8))(x)
    return keras.Model(inputs, x), float_sampler(rng_np, sample_shape), notes


def resizing_model(keras, rng, rng_np):
    """Resizing or CenterCrop over images, or Discretization of features."""
    if rng.random() < 0.25:
        width = rng.randint(2, 12)
        inputs = keras.Input((width,))
        bins = sorted({round(rng.uniform(-2, 2), 2) for _ in range(rng.randint(1, 6))})
        x = keras.layers.Discretization(bin_boundaries=bins)(inputs)
        return keras.Model(inputs, x), float_sampler(rng_np, (width,)), f"discretization {len(bins)} bins"
    height, width, channels = rng.randint(4, 20), rng.randint(4, 20), rng.randint(1, 4)
    inputs = keras.Input((height, width, channels))
    if rng.random() < 0.75:
        method = rng.choice(["bilinear", "nearest", "bicubic", "area"])
        crop = rng.random() < 0.3
        x = keras.layers.Resizing(rng.randint(2, 24), rng.randint(2, 24), interpolation=method,
                                  crop_to_aspect_ratio=crop)(inputs)
        notes = f"resize {method}{' crop' if crop else ''}"
    else:
        x = keras.layers.CenterCrop(rng.randint(1, height), rng.randint(1, width))(inputs)
        notes = "center crop"
    x = keras.layers.Rescaling(rng.uniform(0.1, 2.0), offset=rng.uniform(-1, 1))(x)
    if rng.random() < 0.4:
        x = keras.layers.Conv2D(rng.randint(1, 6), 3, padding="same")(x)
    return keras.Model(inputs, x), float_sampler(rng_np, (height, width, channels)), notes


def ranking_model(keras, rng, rng_np):
    """keras.ops sort, argsort, top_k, segment_sum or segment_max over float rows."""
    width = rng.randint(2, 16)
    op = rng.choice(["sort", "argsort", "top_k", "segment_sum", "segment_max"])
    k = rng.randint(1, width)
    segments = rng.randint(1, 4)

    class Ranking(keras.layers.Layer):
        def call(self, x):
            if op == "sort":
                return keras.ops.sort(x, axis=-1)
            if op == "argsort":
                return keras.ops.argsort(x, axis=-1)
            if op == "top_k":
                values, indices = keras.ops.top_k(x, k)
                return values + keras.ops.cast(indices, "float32")
            ids = keras.ops.cast(keras.ops.floor(keras.ops.abs(x[:, 0]) * 2), "int32") % segments
            reduce = keras.ops.segment_sum if op == "segment_sum" else keras.ops.segment_max
            return reduce(x, ids, num_segments=segments)

    inputs = keras.Input((width,))
    x = inputs
    if rng.random() < 0.5:
        x = keras.layers.Dense(width)(x)
    x = Ranking()(x)
    # Ties among rounded values check the tie order.
    def sample(batch):
        return np.round(rng_np.standard_normal((batch, width)).astype(np.float32) * 2) / 2

    return keras.Model(inputs, x), sample, f"{op}{f' k {k}' if op == 'top_k' else ''}"


def tokens_model(keras, rng, rng_np):
    """TextVectorization with split="character" or ngrams (see the module docstring)."""
    words = random_vocabulary(rng, rng.randint(2, 12))
    split = rng.choice(["character", "whitespace"])
    ngrams = rng.choice([None, 2, 3, (1, 2, 3)]) if split == "whitespace" else rng.choice([None, None, 2])
    standardize = rng.choice([None, "lower", "lower_and_strip_punctuation"])
    mode = rng.choice(["int", "int", "multi_hot", "count"])
    if split == "character":
        tokens = sorted({c for w in words for c in w})
    else:
        tokens = list(words)
    if ngrams:
        widths = ngrams if isinstance(ngrams, tuple) else (ngrams,)
        joiner = " "
        tokens += [joiner.join(rng.choice(words if split == "whitespace" else tokens) for _ in range(n))
                   for n in widths if n > 1 for _ in range(3)]
    tokens = list(dict.fromkeys(t for t in tokens if t.strip() and t not in SPECIAL_TOKENS))
    options = {"standardize": standardize, "split": split, "ngrams": ngrams, "output_mode": mode,
               "vocabulary": tokens}
    notes = [f"split={split}", f"ngrams={ngrams}", f"standardize={standardize}", mode, f"vocabulary {len(tokens)}"]
    length = None
    if mode == "int" and rng.random() < 0.5:
        length = rng.randint(2, 12)
        options["output_sequence_length"] = length
        notes.append(f"length {length}")
    layer = keras.layers.TextVectorization(**options)
    inputs = keras.Input((1,), dtype="string")
    x = layer(inputs)
    if rng.random() < 0.5:
        x = vectorization_head(keras, rng, x, layer, mode, length, notes)

    def sample(batch):
        rows = [sentence(rng, words) for _ in range(batch)]
        rows[0] = rows[0] or rng.choice(words)  # pooling a batch needs one token somewhere
        return string_array(rng, rows, (batch, 1))
    return keras.Model(inputs, x), sample, "TextVectorization(" + ", ".join(notes) + ")"


def resampling_model(keras, rng, rng_np):
    """Resizing with the methods tf.image.resize runs through ScaleAndTranslate: lanczos3,
    lanczos5, gaussian and mitchellcubic, or bilinear and bicubic with antialias, up or down."""
    height, width, channels = rng.randint(3, 20), rng.randint(3, 20), rng.randint(1, 4)
    inputs = keras.Input((height, width, channels))
    method = rng.choice(["lanczos3", "lanczos5", "gaussian", "mitchellcubic", "bilinear", "bicubic"])
    antialias = method in ("bilinear", "bicubic") or rng.random() < 0.5
    crop = rng.random() < 0.2
    size = (rng.randint(2, 28), rng.randint(2, 28))
    if method in ("gaussian", "mitchellcubic"):
        # Keras's Resizing does not offer these two; tf.image.resize does.
        crop = False

        class Resample(keras.layers.Layer):
            def call(self, images):
                import tensorflow as tf
                return tf.image.resize(images, size, method=method, antialias=antialias)
        x = Resample()(inputs)
    else:
        x = keras.layers.Resizing(*size, interpolation=method, antialias=antialias, crop_to_aspect_ratio=crop)(inputs)
    x = keras.layers.Rescaling(rng.uniform(0.1, 2.0), offset=rng.uniform(-1, 1))(x)
    if rng.random() < 0.4:
        x = keras.layers.Conv2D(rng.randint(1, 6), 3, padding="same")(x)
    notes = f"resize {method}{' antialias' if antialias else ''}{' crop' if crop else ''}"
    return keras.Model(inputs, x), float_sampler(rng_np, (height, width, channels)), notes


# (constructor, smallest input side it takes, options): every Keras application, small where it has
# a width multiplier.
APPLICATIONS = [
    ("ResNet50", 32, {}), ("ResNet50V2", 32, {}), ("DenseNet121", 32, {}), ("Xception", 71, {}),
    ("InceptionV3", 75, {}), ("InceptionResNetV2", 75, {}), ("NASNetMobile", 32, {}), ("VGG16", 32, {}),
    ("ConvNeXtTiny", 32, {}), ("RegNetX002", 32, {}), ("RegNetY002", 32, {}), ("EfficientNetB0", 32, {}),
    ("EfficientNetV2B0", 32, {}), ("MobileNet", 32, {"alpha": 0.25}), ("MobileNetV2", 32, {"alpha": 0.35}),
    ("MobileNetV3Small", 32, {}), ("MobileNetV3Large", 32, {"minimalistic": True}),
]
application_turn = itertools.count()


def applications_model(keras, rng, rng_np):
    """The next Keras application in turn (so COUNT = 17 runs each once), without its top, at
    its smallest input (RegNet from tf_keras), Keras's own random initialisation (random weights of our own would
    overflow through fifty layers), global average pooling and a Dense head."""
    name, side, options = APPLICATIONS[next(application_turn) % len(APPLICATIONS)]
    side += rng.randint(0, 8)
    # Keras 3 has no RegNet; tf_keras (Keras 2) still does, and exports with `export(path)`.
    library = keras
    if name.startswith("RegNet"):
        import tf_keras as library
    base = getattr(library.applications, name)(include_top=False, weights=None, input_shape=(side, side, 3),
                                               pooling="avg", **options)
    outputs = library.layers.Dense(10)(base.output)
    model = library.Model(base.input, outputs)
    model.keep_initial_weights = True
    if library is not keras:
        model.conformance_export = model.export
    return model, float_sampler(rng_np, (side, side, 3)), f"{name} {side}x{side}"


class SignalModel:
    """A tf.Module with one `serving_default` signature, standing in for a Keras model here:
    exported by `conformance_export`, called directly by `--tf-only`."""
    keep_initial_weights = True
    layers = []

    def __init__(self, function, spec):
        self.function, self.spec = function, spec

    def __call__(self, x):
        return self.function(x)

    def conformance_export(self, directory):
        import tensorflow as tf
        module = tf.Module()
        module.serve = tf.function(self.function, input_signature=[self.spec])
        tf.saved_model.save(module, directory, signatures={"serving_default": module.serve.get_concrete_function()})


def signal_model(keras, rng, rng_np):
    """A random tf.signal or complex-number computation (see the kind's description above)."""
    import tensorflow as tf
    op = rng.choice(["stft", "stft", "istft", "rfft", "irfft", "fft", "fft2d", "fft3d", "mfcc", "dct", "complex"])

    def real_sampler(shape):
        return lambda batch: (rng_np.standard_normal((batch, *shape)) * 2).astype(np.float32)

    def complex_sampler(shape):
        return lambda batch: (rng_np.standard_normal((batch, *shape))
                              + 1j * rng_np.standard_normal((batch, *shape))).astype(np.complex64)

    def spec(shape, dtype=tf.float32):
        return tf.TensorSpec([None, *shape], dtype, name="x")

    if op in ("stft", "istft"):
        frame = rng.randint(4, 300)
        step = rng.randint(1, frame) if op == "stft" else max(1, frame // rng.choice([2, 3, 4]))
        fft = rng.choice([None, frame, frame + rng.randint(1, 40), 1 << (frame - 1).bit_length()])
        window = rng.choice(["hann", "hamming", "none"])
        window_fn = {"hann": tf.signal.hann_window, "hamming": tf.signal.hamming_window, "none": None}[window]
        pad_end = rng.random() < 0.5
        length = frame + rng.randint(0, 600)
        magnitude = rng.random() < 0.5

        def stft(x):
            out = tf.signal.stft(x, frame, step, fft, window_fn=window_fn, pad_end=pad_end)
            if op == "istft":
                return tf.signal.inverse_stft(
                    out, frame, step, fft,
                    window_fn=tf.signal.inverse_stft_window_fn(step, forward_window_fn=window_fn or tf.signal.hann_window)
                    if window_fn else None)
            return tf.abs(out) if magnitude else out

        notes = f"{op} frame {frame} step {step} fft {fft} {window} pad_end {pad_end}"
        notes += " magnitude" if op == "stft" and magnitude else ""
        return SignalModel(stft, spec([length])), real_sampler([length]), notes
    if op in ("rfft", "irfft"):
        rank = rng.choice([1, 1, 2, 3])
        shape = [rng.randint(1, 5) for _ in range(rng.randint(0, 1))] + [rng.randint(1, 40 if rank > 1 else 300)
                                                                       for _ in range(rank)]
        lengths = [max(1, n + rng.randint(-n + 1, 12)) for n in shape[-rank:]]
        forward = {1: tf.signal.rfft, 2: tf.signal.rfft2d, 3: tf.signal.rfft3d}[rank]
        inverse = {1: tf.signal.irfft, 2: tf.signal.irfft2d, 3: tf.signal.irfft3d}[rank]
        if op == "rfft":
            return (SignalModel(lambda x: forward(x, fft_length=lengths), spec(shape)), real_sampler(shape),
                    f"rfft rank {rank} shape {shape} fft_length {lengths}")
        return (SignalModel(lambda x: inverse(x, fft_length=lengths), spec(shape, tf.complex64)),
                complex_sampler(shape), f"irfft rank {rank} shape {shape} fft_length {lengths}")
    if op in ("fft", "fft2d", "fft3d"):
        rank = {"fft": 1, "fft2d": 2, "fft3d": 3}[op]
        shape = [rng.randint(1, 4) for _ in range(rng.randint(0, 1))] + [rng.randint(1, 30 if rank > 1 else 300)
                                                                      for _ in range(rank)]
        inverse = rng.random() < 0.5
        function = {1: (tf.signal.fft, tf.signal.ifft), 2: (tf.signal.fft2d, tf.signal.ifft2d),
                    3: (tf.signal.fft3d, tf.signal.ifft3d)}[rank][inverse]
        return (SignalModel(function, spec(shape, tf.complex64)), complex_sampler(shape),
                f"{'i' if inverse else ''}{op} shape {shape}")
    if op == "mfcc":
        frames, bins = rng.randint(1, 20), rng.randint(2, 80)
        keep = rng.randint(1, bins)

        def mfcc(x):
            return tf.signal.mfccs_from_log_mel_spectrograms(tf.math.log(tf.abs(x) + 0.01))[..., :keep]
        return SignalModel(mfcc, spec([frames, bins])), real_sampler([frames, bins]), f"mfcc {frames}x{bins} keep {keep}"
    if op == "dct":
        width = rng.randint(2, 64)
        kind = rng.choice([2, 3])
        norm = rng.choice([None, "ortho"])
        n = rng.choice([None, None, rng.randint(1, width + 10)])
        inverse = rng.random() < 0.3

        def dct(x):
            if inverse:
                return tf.signal.idct(x, type=kind, n=n, norm=norm)
            return tf.signal.dct(x, type=kind, n=n, norm=norm)
        return (SignalModel(dct, spec([width])), real_sampler([width]),
                f"{'i' if inverse else ''}dct type {kind} norm {norm} n {n} width {width}")
    width = rng.randint(1, 50)
    variant = rng.randint(0, 3)

    def arithmetic(x):
        z = tf.complex(x[:, :width], x[:, width:])
        w = tf.math.conj(z) * tf.complex(0.5, -1.5) + tf.cast(x[:, :width], tf.complex64)
        if variant == 0:
            return w * z / (z + tf.complex(3.0, 1.0))
        if variant == 1:
            return tf.math.exp(z * tf.complex(0.0, 0.3)) + tf.math.sqrt(w)
        if variant == 2:
            return tf.abs(w) + tf.math.angle(z) - tf.math.real(w * w) + tf.math.imag(z)
        return tf.cast(w, tf.float32) + tf.reduce_sum(tf.math.real(z * tf.math.conj(w)), axis=-1, keepdims=True)
    return (SignalModel(arithmetic, spec([2 * width])), real_sampler([2 * width]),
            f"complex arithmetic variant {variant} width {width}")


BUILDERS.update({"signal": signal_model})


BUILDERS.update({"convolution": convolution_model, "resizing": resizing_model, "ranking": ranking_model,
                 "tokens": tokens_model, "resampling": resampling_model, "applications": applications_model,
                 "lookups": lookups_model})


def randomize(model, rng_np):
    import keras
    if getattr(model, "keep_initial_weights", False):
        return
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
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                        help=f"comma-separated model kinds out of {','.join(KINDS)} (default: {','.join(DEFAULT_KINDS)})")
    parser.add_argument("--tf-only", action="store_true",
                        help="build and run the models with TensorFlow only, without the registry")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        parser.error(f"--kinds: unknown {', '.join(unknown) or 'nothing chosen'}; choose from {', '.join(KINDS)}")
    args.schedule = [k for k in SCHEDULE if k in kinds]
    return args


def tf_constant(tf, x):
    """The sample as a TensorFlow constant (a unicode `U` array as UTF-8 bytes)."""
    return tf.constant(np.char.encode(x, "utf-8") if x.dtype.kind == "U" else x)


def agree(actual, expected):
    """(whether `actual` matches `expected`, a detail): same shape and dtype (any fixed-width
    bytes for strings), floats within relative 1e-4 and absolute 1e-5 times the output's scale
    (its largest finite magnitude, so an output of tiny values is compared, not waved through by
    a fixed absolute tolerance), NaN where TensorFlow has NaN, everything else exactly."""
    actual, expected = (a.astype(bytes) if a.dtype.kind == "O" else a for a in (actual, expected))
    if actual.shape != expected.shape:
        return False, f"shape {actual.shape}, expected {expected.shape}"
    if actual.dtype != expected.dtype and not actual.dtype.kind == expected.dtype.kind == "S":
        return False, f"dtype {actual.dtype}, expected {expected.dtype}"
    if expected.dtype.kind == "c":
        # Complex values compare part by part, at the scale of the whole output.
        parts = [np.stack([a.real, a.imag], axis=-1) for a in (actual, expected)]
        return agree(parts[0], parts[1])
    if expected.dtype.kind == "f":
        worst = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
        finite = np.abs(expected[np.isfinite(expected)])
        scale = max(float(finite.max()) if finite.size else 0.0, 1e-30)
        return (np.allclose(actual, expected, rtol=1e-4, atol=1e-5 * scale, equal_nan=True),
                f"max |diff| {worst:.2e}, max |y| {scale:.2e}")
    differ = np.argwhere(actual != expected)
    if len(differ) == 0:
        return True, "exact"
    at = tuple(int(i) for i in differ[0])
    return False, f"{len(differ)} of {expected.size} differ, first at {at}: {actual[at]!r}, expected {expected[at]!r}"


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
        extra = {"directory": os.path.join(work, f"vocabulary{index}")} if kind in ("text", "lookups") else {}
        directory = os.path.join(work, f"model{index}")
        notes = ""
        try:
            model, sample, notes = BUILDERS[kind](keras, rng, rng_np, **extra)
            randomize(model, rng_np)
            if hasattr(model, "conformance_export"):
                model.conformance_export(directory)
            else:
                model.export(directory, verbose=False)
            batch = rng.randint(1, 4)
            x = sample(batch)
            signature = tf.saved_model.load(directory).signatures["serving_default"]
            (name, _), = signature.structured_input_signature[1].items()
            expected = list(signature(**{name: tf_constant(tf, x)}).values())[0].numpy()
        except Exception as error:  # a generator or TensorFlow problem, not the registry's
            failed += 1
            print(f"ERR  {index:3d} {kind:11s} {f'({notes}) ' if notes else ''}in Keras or TensorFlow: "
                  f"{type(error).__name__}: {str(error).strip()[:300]}")
            continue
        label = f"{index:3d} {kind:11s} input {tuple(x.shape)} {x.dtype} -> {expected.shape} {expected.dtype}, {len(model.layers)} layers"
        label += f" ({notes})" if notes else ""
        if args.tf_only:
            in_memory = keras.ops.convert_to_numpy(model(tf_constant(tf, x)))
            same, _ = agree(in_memory, expected)
            if same and (expected.dtype.kind != "f" or np.all(np.isfinite(expected))):
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
        same, detail = agree(actual, expected)
        if same and hasattr(sample, "refused"):
            # An input TensorFlow refuses (Keras's Assert) must be refused here too.
            refused = sample.refused(batch)
            try:
                signature(**{name: tf_constant(tf, refused)})
                same, detail = False, "TensorFlow accepted the input meant to be refused"
            except Exception:
                np.save(input_path, refused)
                second = subprocess.run([args.registry, "run", directory, "--input", f"{name}={input_path}"],
                                        capture_output=True, text=True)
                if second.returncode == 0:
                    same, detail = False, "an out-of-vocabulary input TensorFlow refuses ran"
                else:
                    detail += f"; out-of-vocabulary input refused: {second.stderr.strip().splitlines()[-1][:120]}"
        if same:
            matched += 1
            print(f"ok   {label} ({detail})")
        else:
            failed += 1
            print(f"DIFF {label}: {detail}")
    shutil.rmtree(work, ignore_errors=True)
    if args.tf_only:
        print(f"{matched} of {args.count} models built and ran in TensorFlow, {failed} did not")
    else:
        print(f"{matched} of {args.count} models matched TensorFlow, {failed} did not")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
