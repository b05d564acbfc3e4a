"""Writes lookup_reference.json: Keras's StringLookup, IntegerLookup, Hashing, HashedCrossing
and Discretization (adapt) outputs.

Keras 3 runs the lookup and hashing layers through TensorFlow (lookup tables, FarmHash and
SipHash string ops, `tf.sparse.cross_hashed`), which the hocsau test environment does not
have, so their outputs are recorded once here and compared by
tests/layers/preprocessing/test_lookup_keras_parity.py. Run it with a Python that has
TensorFlow and Keras 3 (the committed fixture came from tensorflow 2.21, keras 3.15):

    KERAS_BACKEND=tensorflow /work/tfenv/bin/python \
        tests/layers/preprocessing/reference/make_lookup_reference.py

Each case holds the layer class, its constructor arguments, how it learned its vocabulary
(`adapt` on the whole array, on batches of `BATCH_SIZE`, or none), the vocabulary (lookups),
the learned boundaries (Discretization) and the output for every probe input; an output is
null (with the error class) where Keras raised.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lookup_reference.json")
BATCH_SIZE = 3
WORDS = ["a", "b", "c", "Đà", "nẵng", "", "[UNK]", "hello world", "a" * 20, "ß" * 40, "x" * 70]
STRING_DATA = [["a", "b", "a"], ["Đà", "nẵng", "a"], ["c", "b", ""], ["b", "Đà", "[UNK]"],
               ["hello world", "a", "c"], ["z", "b", "a"]]
STRING_PROBES = {
    "matrix": [["a", "q", ""], ["Đà", "hello world", "unseen"], ["x" * 70, "b", "ß" * 40]],
    "vector": ["a", "b", "zzz", "nẵng", "", "c"],
    "column": [["a"], ["qq"], ["b"], [""]],
}
INT_DATA = [[1, 2, 1], [7, 42, 1], [0, 2, 7], [-3, 42, 1000], [2, 2, 5]]
INT_PROBES = {
    "matrix": [[1, 99, 0], [42, -7, 1000], [123456789, 2, -1]],
    "vector": [7, 8, 9, 1, 0, -5],
    "column": [[1], [55], [0]],
}
INDEX_PROBES = {"matrix": [[0, 1, 2, 3], [4, 5, 6, 7]], "vector": [1, 2, 0, 9]}
FLOAT_PROBES = {"vector": [1.5, -2.7, 3.0, 0.0, 1e6], "matrix": [[0.2, 7.9], [-1.1, 100.0]]}


def _string_lookups():
    vocab = ["a", "b", "c", "Đà", "nẵng"]
    cases = [({"vocabulary": vocab}, None), ({"vocabulary": vocab, "num_oov_indices": 3,
                                             "mask_token": ""}, None),
             ({"vocabulary": vocab, "num_oov_indices": 0}, None),
             ({"vocabulary": vocab, "num_oov_indices": 4, "salt": 7}, None),
             ({"vocabulary": vocab, "num_oov_indices": 5, "salt": [1, 2 ** 40]}, None),
             ({"vocabulary": vocab, "oov_token": "<oov>", "num_oov_indices": 2}, None),
             ({"vocabulary": ["[UNK]"] + vocab}, None),
             ({"vocabulary": vocab, "invert": True}, "index"),
             ({"vocabulary": vocab, "invert": True, "mask_token": "", "oov_token": "?"},
              "index"),
             ({"max_tokens": 6}, "list"), ({"mask_token": ""}, "batches"),
             ({"output_mode": "multi_hot"}, "batches"), ({"output_mode": "count"}, "list"),
             ({"output_mode": "one_hot"}, "list"), ({"output_mode": "tf_idf"}, "batches"),
             ({"output_mode": "tf_idf"}, "list"),
             ({"output_mode": "multi_hot", "max_tokens": 12, "pad_to_max_tokens": True},
              "list"),
             ({"output_mode": "tf_idf", "max_tokens": 12, "pad_to_max_tokens": True},
              "batches"),
             ({"output_mode": "count", "mask_token": "", "num_oov_indices": 2}, "list"),
             ({"vocabulary": vocab, "idf_weights": [0.5, 1.0, 1.5, 2.0, 2.5],
               "output_mode": "tf_idf"}, None),
             ({"vocabulary": ["[UNK]"] + vocab, "idf_weights": [9.0, 0.5, 1.0, 1.5, 2.0, 2.5],
               "output_mode": "tf_idf"}, None)]
    return [("StringLookup", config, adapt) for config, adapt in cases]


def _integer_lookups():
    vocab = [12, 36, 1138, 42]
    cases = [({"vocabulary": vocab}, None),
             ({"vocabulary": vocab, "num_oov_indices": 3}, None),
             ({"vocabulary": vocab, "num_oov_indices": 3, "oov_method": "farmhash"}, None),
             ({"vocabulary": vocab, "num_oov_indices": 3, "oov_method": "farmhash",
               "salt": 11}, None),
             ({"vocabulary": vocab, "mask_token": 0}, None),
             ({"vocabulary": vocab, "invert": True}, "index"),
             ({"vocabulary": vocab, "invert": True, "mask_token": 0}, "index"),
             ({}, "list"), ({"max_tokens": 4, "mask_token": 0}, "batches"),
             ({"output_mode": "multi_hot"}, "list"), ({"output_mode": "tf_idf"}, "batches"),
             ({"output_mode": "count", "max_tokens": 9, "pad_to_max_tokens": True}, "list")]
    return [("IntegerLookup", config, adapt) for config, adapt in cases]


def _hashings():
    configs = [{"num_bins": 3}, {"num_bins": 1000}, {"num_bins": 2 ** 31 - 1},
               {"num_bins": 5, "mask_value": ""}, {"num_bins": 7, "salt": 133},
               {"num_bins": 7, "salt": [5, 2 ** 62]}, {"num_bins": 6, "output_mode": "one_hot"},
               {"num_bins": 6, "output_mode": "multi_hot"},
               {"num_bins": 6, "output_mode": "count"}]
    cases = [("Hashing", config, "strings") for config in configs]
    cases += [("Hashing", {"num_bins": 1000}, "ints"),
              ("Hashing", {"num_bins": 9, "mask_value": 0}, "ints"),
              ("Hashing", {"num_bins": 9, "salt": 3}, "ints"),
              ("Hashing", {"num_bins": 1000}, "floats")]
    return cases


def _run(layer, probes, as_strings):
    outputs = {}
    for name, probe in probes.items():
        try:
            out = layer(np.array(probe)).numpy()
            if out.dtype == object:
                out = np.vectorize(lambda b: b.decode("utf-8"))(out)
            outputs[name] = {"value": out.tolist(), "dtype": str(out.dtype)}
        except Exception as error:  # recorded: hocsau must raise too
            outputs[name] = {"value": None, "error": type(error).__name__}
    return outputs


def _lookup_case(class_name, config, adapt):
    layer = getattr(keras.layers, class_name)(**config)
    strings = class_name == "StringLookup"
    data = np.array(STRING_DATA if strings else INT_DATA)
    if adapt == "list":
        layer.adapt(data)
    elif adapt == "batches":
        layer.adapt(tf.data.Dataset.from_tensor_slices(data).batch(BATCH_SIZE))
    vocab = [v.decode() if isinstance(v, bytes) else v if isinstance(v, str) else int(v)
             for v in layer.get_vocabulary()]
    probes = INDEX_PROBES if config.get("invert") else (STRING_PROBES if strings else INT_PROBES)
    case = {"layer": class_name, "config": config, "adapt": adapt, "vocabulary": vocab,
            "vocabulary_size": int(layer.vocabulary_size()),
            "outputs": _run(layer, probes, strings)}
    if config.get("output_mode") == "tf_idf":
        case["idf_weights"] = np.asarray(layer.idf_weights).tolist()
    return case


def _hashing_case(config, kind):
    layer = keras.layers.Hashing(**config)
    if kind == "strings":
        probes = dict(STRING_PROBES, words=[[w] for w in WORDS])
    else:
        probes = INT_PROBES if kind == "ints" else FLOAT_PROBES
    return {"layer": "Hashing", "config": config, "inputs": kind,
            "outputs": _run(layer, probes, kind == "strings")}


def _crossing_cases():
    features = {"strings": ["a", "Đà", "hello world", "x" * 70],
                "ints": [3, -2, 100, 2 ** 40], "more_ints": [0, 1, 2, 3],
                "words": ["b", "b", "", "[UNK]"]}
    combos = [("strings", "ints"), ("ints", "more_ints"), ("strings", "words", "ints"),
              ("ints", "strings")]
    cases = []
    for num_bins, mode in ((5, "int"), (1000, "int"), (4, "one_hot")):
        for combo in combos:
            for shape in ("vector", "column"):
                arrays = [np.array(features[name]) for name in combo]
                if shape == "column":
                    arrays = [a.reshape(-1, 1) for a in arrays]
                layer = keras.layers.HashedCrossing(num_bins, output_mode=mode)
                cases.append({"layer": "HashedCrossing",
                              "config": {"num_bins": num_bins, "output_mode": mode},
                              "features": list(combo), "shape": shape,
                              "output": np.asarray(layer(tuple(arrays))).tolist()})
    return features, cases


def _discretization_cases():
    rng = np.random.default_rng(7)
    data = np.concatenate([rng.normal(size=400), rng.exponential(size=300)]).astype("float32")
    cases = []
    for num_bins, epsilon in ((4, 0.01), (6, 0.1), (10, 0.001)):
        for adapt in ("list", "batches"):
            layer = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
            layer.adapt(data if adapt == "list" else
                        tf.data.Dataset.from_tensor_slices(data).batch(128))
            cases.append({"layer": "Discretization",
                          "config": {"num_bins": num_bins, "epsilon": epsilon},
                          "adapt": adapt, "bin_boundaries": list(map(float,
                                                                     layer.bin_boundaries))})
    return data.tolist(), cases


def main():
    cases = [_lookup_case(*c) for c in _string_lookups() + _integer_lookups()]
    cases += [_hashing_case(config, kind) for _, config, kind in _hashings()]
    features, crossing = _crossing_cases()
    data, discretization = _discretization_cases()
    configs = {name: getattr(keras.layers, name)(**args).get_config() for name, args in (
        ("StringLookup", {"vocabulary": ["a"]}), ("IntegerLookup", {"vocabulary": [1]}),
        ("Hashing", {"num_bins": 3, "salt": 1}), ("HashedCrossing", {"num_bins": 3}))}
    fixture = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__,
               "batch_size": BATCH_SIZE, "string_data": STRING_DATA, "int_data": INT_DATA,
               "words": WORDS, "string_probes": STRING_PROBES, "int_probes": INT_PROBES,
               "index_probes": INDEX_PROBES, "float_probes": FLOAT_PROBES,
               "crossing_features": features, "discretization_data": data,
               "configs": configs, "cases": cases + crossing + discretization}
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
