"""Loads hocsau-written `.keras` files with a TextVectorization layer in real Keras.

Run by hand after make_text_vectorization_hocsau_file.py, with a Python that has TensorFlow
and Keras 3 (TextVectorization needs TensorFlow):

    KERAS_BACKEND=tensorflow /work/tfenv/bin/python \
        tests/saving/reference/check_text_vectorization_in_keras.py

For each hocsau_text_vectorization_*.keras it compares Keras's vocabulary and outputs with the
ones hocsau recorded (hocsau_text_vectorization_outputs.json), prints the largest difference,
exits with status 1 on any mismatch, and otherwise records Keras's outputs in
hocsau_text_vectorization_keras_outputs.json (read by the hocsau tests).
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def _read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)


def _keras_outputs(path, probes) -> dict:
    model = keras.saving.load_model(path)
    column = np.array(probes)[:, None]
    vectorizer = model.layers[0]
    return {"vocabulary": [str(t) for t in vectorizer.get_vocabulary()],
            "vectorized": np.asarray(vectorizer(column)).tolist(),
            "predicted": np.asarray(model(column)).tolist()}


def main() -> int:
    probes = _read("keras_text_vectorization_outputs.json")["probes"]
    hocsau_outputs = _read("hocsau_text_vectorization_outputs.json")
    results, ok = {}, True
    for name, ours in hocsau_outputs.items():
        theirs = _keras_outputs(os.path.join(HERE, f"hocsau_text_vectorization_{name}.keras"),
                                probes)
        same_vocabulary = theirs["vocabulary"] == ours["vocabulary"]
        gaps = [np.max(np.abs(np.subtract(theirs[k], ours[k]))) for k in ("vectorized",
                                                                          "predicted")]
        print(f"{name}: same vocabulary: {same_vocabulary}; largest difference "
              f"vectorized {gaps[0]:.3g}, predicted {gaps[1]:.3g}")
        ok = ok and same_vocabulary and max(gaps) <= 1e-6
        results[name] = theirs
    if not ok:
        print("MISMATCH: Keras does not reproduce hocsau's outputs.")
        return 1
    with open(os.path.join(HERE, "hocsau_text_vectorization_keras_outputs.json"), "w",
              encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
