"""EfficientNetB0 and EfficientNetV2B0 against Keras 3: same layers, weights and outputs."""

import numpy as np
import pytest
from efficientnet_helpers import FAMILIES, SIZE, cheap_initializers, copy_weights, predict

import hocsau

keras = pytest.importorskip("keras")


def images(count=3, seed=0):
    return np.random.RandomState(seed).uniform(0, 255, (count, SIZE, SIZE, 3)).astype("float32")


def structure(model):
    return [(layer.name, type(layer).__name__, [tuple(w.shape) for w in layer.weights])
            for layer in model.layers]


@pytest.mark.parametrize("name", FAMILIES)
def test_layers_and_weights_match_keras(pairs, name):
    theirs, ours = pairs[name]
    assert structure(ours) == structure(theirs)
    assert ours.name == theirs.name == {"EfficientNetB0": "efficientnetb0",
                                        "EfficientNetV2B0": "efficientnetv2-b0"}[name]
    assert ours.count_params() == theirs.count_params()
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    assert ours.output_shape == theirs.output_shape == (None, 10)


@pytest.mark.parametrize("name", FAMILIES)
def test_classifier_outputs_match_keras(pairs, name):
    theirs, ours = pairs[name]
    expected = predict(theirs, images())
    np.testing.assert_allclose(predict(ours, images()), expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(expected.sum(axis=1), 1.0, rtol=1e-5)  # softmax over 10 classes


def summary_text(model) -> str:
    lines = []
    model.summary(print_fn=lambda text, *a, **k: lines.append(text))
    return "".join(lines)


@pytest.mark.parametrize("name", FAMILIES)
def test_summary_matches_keras(pairs, name, monkeypatch):
    """The whole table (layer names, shapes, connections) and the totals, character for
    character."""
    monkeypatch.setenv("COLUMNS", "200")
    theirs, ours = pairs[name]
    expected = summary_text(theirs)
    assert summary_text(ours) == expected
    totals = [line.strip() for line in expected.splitlines() if "params:" in line]
    assert totals[0].startswith({"EfficientNetB0": "Total params: 4,062,381",
                                 "EfficientNetV2B0": "Total params: 5,932,122"}[name])


@pytest.mark.parametrize(("name", "pooling"), [("EfficientNetB0", "avg"),
                                               ("EfficientNetV2B0", "max")])
def test_feature_extractor_matches_keras(pairs, name, pooling):
    """include_top=False on a given input tensor: Keras's top_activation maps, pooled."""
    theirs = pairs[name][0]
    features = keras.Model(theirs.input, theirs.get_layer("top_activation").output)
    hocsau.backend.clear_session()  # auto-named layers (normalization) named as in Keras's
    inputs = hocsau.Input((SIZE, SIZE, 3))
    with cheap_initializers():
        ours = getattr(hocsau.applications, name)(
            include_top=False, weights=None, input_tensor=inputs, pooling=pooling)
    copy_weights(theirs, ours)
    assert ours.inputs[0] is inputs
    assert ours.layers[-1].name == {"avg": "avg_pool", "max": "max_pool"}[pooling]
    maps = predict(features, images(seed=1))
    expected = maps.mean(axis=(1, 2)) if pooling == "avg" else maps.max(axis=(1, 2))
    assert expected.shape == (3, 1280)
    np.testing.assert_allclose(predict(ours, images(seed=1)), expected, rtol=1e-4, atol=1e-5)
