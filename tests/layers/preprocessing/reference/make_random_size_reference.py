"""Writes random_size_reference.json: tf.keras's RandomHeight / RandomWidth outputs.

Keras 3 keeps these layers only in `keras.src.legacy.layers`, over TensorFlow's
`tf.image.resize`, which the hocsau test environment does not have, so outputs for fixed
factors (ranges of zero width, so nothing is random) are recorded once here and compared by
tests/layers/preprocessing/test_random_height_width.py. Run it with a Python that has
TensorFlow and Keras 3 (the committed fixture came from tensorflow 2.21, keras 3.15.1):

    KERAS_BACKEND=tensorflow /work/tfenv/bin/python \
        tests/layers/preprocessing/reference/make_random_size_reference.py
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
from keras.src.legacy.layers import RandomHeight, RandomWidth  # noqa: E402

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_size_reference.json")
IMAGES = np.random.default_rng(1).uniform(0, 1, (2, 7, 6, 3)).astype("float32")


def main():
    cases = []
    for layer in (RandomHeight, RandomWidth):
        for factor in ((0.5, 0.5), (-0.4, -0.4), (0.3, 0.3)):
            for interpolation in ("bilinear", "nearest"):
                out = layer(factor, interpolation=interpolation)(IMAGES, training=True)
                cases.append({"layer": layer.__name__, "factor": factor,
                              "interpolation": interpolation,
                              "output": np.asarray(out).tolist()})
    with open(OUTPUT, "w") as f:
        json.dump({"images": IMAGES.tolist(), "cases": cases}, f)


if __name__ == "__main__":
    main()
