"""Writes the large SavedModels the store benchmark uses (not committed: ~100 MB each).

    <venv>/bin/python Scripts/bench-make-models.py OUT_DIR

OUT_DIR/resnet50       keras.applications.ResNet50(weights=None), random weights, model.export()
OUT_DIR/resnet50_ft    the same model after changing only the classifier head (predictions layer)
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def main(out):
    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50(weights=None, input_shape=(224, 224, 3), classes=1000)
    model.export(os.path.join(out, "resnet50"), verbose=False)
    head = model.get_layer("predictions")
    kernel, bias = head.get_weights()
    rng = np.random.default_rng(1)
    head.set_weights([kernel + rng.normal(0, 0.01, kernel.shape).astype(kernel.dtype), bias + 0.1])
    model.export(os.path.join(out, "resnet50_ft"), verbose=False)


if __name__ == "__main__":
    main(sys.argv[1])
