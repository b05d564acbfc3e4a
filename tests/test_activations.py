"""Activations: numerics against numpy formulas and Keras 3, and identifier handling."""

import math

import keras
import numpy as np
import pytest
import torch

from hocsau import activations
from hocsau.saving.serialization import (
    deserialize_keras_object,
    register_keras_serializable,
    serialize_keras_object,
)

X = np.array([-7.0, -3.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 6.5, 25.0],
             dtype="float32")
ERF = np.vectorize(math.erf)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


FORMULAS = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "celu": lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(x)),
    "gelu": lambda x: 0.5 * x * (1 + ERF(x / np.sqrt(2))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "softplus": _softplus,
    "softsign": lambda x: x / (np.abs(x) + 1),
    "squareplus": lambda x: (x + np.sqrt(x**2 + 4)) / 2,
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)),
    "exponential": np.exp,
    "linear": lambda x: x,
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "log_sigmoid": lambda x: -_softplus(-x),
    "tanh": np.tanh,
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "softmax": lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum(),
    "log_softmax": lambda x: x - x.max() - np.log(np.exp(x - x.max()).sum()),
}


def _keras(name, x, **kwargs):
    out = getattr(keras.activations, name)(torch.as_tensor(x), **kwargs)
    return keras.ops.convert_to_numpy(out)


def _ours(name, x, **kwargs):
    return getattr(activations, name)(torch.as_tensor(x), **kwargs).numpy()


def test_the_set_of_names_is_keras_set():
    from keras.src.activations import ALL_OBJECTS_DICT

    assert set(activations.ALL_OBJECTS_DICT) == set(ALL_OBJECTS_DICT)
    assert len(activations.ALL_OBJECTS_DICT) == 32


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_matches_numpy_formula(name):
    expected = FORMULAS[name](X.astype("float64"))
    np.testing.assert_allclose(_ours(name, X), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(set(FORMULAS) - {"swish", "hard_swish"}))
def test_matches_keras(name):
    x = np.concatenate([X, np.random.randn(50).astype("float32") * 4])
    np.testing.assert_allclose(_ours(name, x), _keras(name, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"negative_slope": 0.1}, {"max_value": 6.0}, {"max_value": 2.5}, {"threshold": 1.0},
    {"negative_slope": 0.3, "threshold": 1.0}, {"negative_slope": 0.3, "max_value": 2.0},
    {"negative_slope": 0.5, "max_value": 4.0, "threshold": -0.5}, {"max_value": 6, "threshold": 2},
])
def test_relu_arguments_match_keras(kwargs):
    np.testing.assert_allclose(_ours("relu", X, **kwargs), _keras("relu", X, **kwargs), atol=1e-6)


def test_relu_arguments_by_hand():
    out = activations.relu(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]), negative_slope=0.5,
                           max_value=5.0, threshold=1.0)
    np.testing.assert_allclose(out.numpy(), [-5.5, -3.0, -0.5, 5.0, 5.0])


@pytest.mark.parametrize("name, kwargs", [
    ("leaky_relu", {"negative_slope": 0.01}), ("elu", {"alpha": 0.5}), ("celu", {"alpha": 2.0}),
    ("gelu", {"approximate": True}), ("gelu", {"approximate": False}), ("squareplus", {"b": 1}),
    ("soft_shrink", {"threshold": 1.0}), ("hard_shrink", {"threshold": 1.0}),
    ("threshold", {"threshold": 0.4, "default_value": -2.0}),
])
def test_keyword_arguments_match_keras(name, kwargs):
    np.testing.assert_allclose(_ours(name, X, **kwargs), _keras(name, X, **kwargs), atol=1e-6)


def test_gelu_defaults_to_the_exact_form_like_keras_activations():
    x = torch.tensor([1.0])
    assert activations.gelu(x).item() == pytest.approx(0.8413447, abs=1e-6)
    assert activations.gelu(x, approximate=True).item() == pytest.approx(0.8411920, abs=1e-6)


def test_threshold_by_hand():
    out = activations.threshold(torch.tensor([-1.0, 0.5, 2.0]), 0.5, 9.0)
    np.testing.assert_array_equal(out.numpy(), [9.0, 9.0, 2.0])


@pytest.mark.parametrize("axis", [0, 1, -1, (1, 2), (0, 2), None])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_axes_match_keras(name, axis):
    x = np.random.randn(2, 3, 4).astype("float32")
    ours, theirs = _ours(name, x, axis=axis), _keras(name, x, axis=axis)
    assert ours.shape == (2, 3, 4)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape,axis", [((256, 10), -1), ((4, 32, 5), 1), ((64, 33), -1)])
def test_inference_softmax_equals_the_training_one(shape, axis):
    """Inference over a short axis takes a faster op-by-op route: the same numbers within a
    float rounding, including rows of -inf / inf and saturating logits."""
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0)) * 30
    x.view(-1)[:3] = torch.tensor([float("-inf"), float("inf"), -1e30])
    recorded = activations.softmax(x.clone().requires_grad_(), axis=axis).detach()
    with torch.no_grad():
        inferred = activations.softmax(x, axis=axis)
    np.testing.assert_allclose(inferred.numpy(), recorded.numpy(), rtol=1e-6, atol=1e-7)
    assert inferred.is_contiguous()


def test_softmax_over_a_size_one_axis_warns():
    with pytest.warns(UserWarning, match="has size 1"):
        out = activations.softmax(torch.ones(3, 1))
    np.testing.assert_array_equal(out.numpy(), np.ones((3, 1)))


def test_glu_matches_keras_and_halves_the_axis():
    x = np.random.randn(4, 6).astype("float32")
    ours = _ours("glu", x)
    assert ours.shape == (4, 3)
    np.testing.assert_allclose(ours, x[:, :3] * _sigmoid(x[:, 3:]), rtol=1e-6)
    by_rows = _ours("glu", x, axis=0)
    assert by_rows.shape == (2, 6)
    np.testing.assert_allclose(by_rows, _keras("glu", x, axis=0), rtol=1e-6)


def test_glu_rejects_an_odd_axis():
    with pytest.raises(ValueError, match=r"even size along axis -1. Received: x.shape=\(2, 3\)"):
        activations.glu(torch.ones(2, 3))


def _sparsemax_reference(z):
    ranked = np.sort(z)[::-1]
    cumulative = np.cumsum(ranked)
    k = np.arange(1, len(z) + 1)
    size = k[1 + k * ranked > cumulative].max()
    return np.maximum(z - (cumulative[size - 1] - 1) / size, 0)


def test_sparsemax_projects_onto_the_simplex():
    x = np.random.randn(5, 7).astype("float32")
    out = activations.sparsemax(torch.as_tensor(x)).numpy()
    np.testing.assert_allclose(out.sum(axis=-1), np.ones(5), rtol=1e-6)
    np.testing.assert_allclose(out, np.stack([_sparsemax_reference(r) for r in x]), atol=1e-6)
    by_column = activations.sparsemax(torch.as_tensor(x.T), axis=0).numpy()
    np.testing.assert_allclose(by_column, out.T, atol=1e-6)


def test_sparsemax_by_hand_and_against_keras_for_one_winner():
    out = activations.sparsemax(torch.tensor([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(out.numpy(), [0.0, 0.25, 0.75])
    # Keras 3.15.1 sums every supported cumulative sum (keras-team/keras#23425); it agrees
    # when the support has a single element.
    x = np.array([[3.0, 1.0, 0.0], [-1.0, 4.0, 2.0]], dtype="float32")
    np.testing.assert_allclose(_ours("sparsemax", x), _keras("sparsemax", x))


def test_array_like_input_becomes_a_tensor():
    out = activations.relu([-1.0, 2.0])
    assert isinstance(out, torch.Tensor)
    assert out.tolist() == [0.0, 2.0]


def test_gradients_flow_through():
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    activations.elu(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [math.exp(-1.0), 1.0], rtol=1e-6)


# --- identifiers ---------------------------------------------------------------------------
def test_get_resolves_names_aliases_none_and_callables():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    custom = lambda x: x * 2  # noqa: E731
    assert activations.get(custom) is custom


def test_serialize_gives_keras_strings():
    for name in ("relu", "softmax", "sparsemax", "gelu"):
        fn = getattr(activations, name)
        assert activations.serialize(fn) == keras.activations.serialize(
            getattr(keras.activations, name)) == name
    assert activations.serialize(activations.swish) == "silu"


def test_builtin_function_serializes_like_keras():
    ours = serialize_keras_object(activations.tanh)
    assert ours == keras.saving.serialize_keras_object(keras.activations.tanh)
    assert ours["module"] == "builtins"
    assert deserialize_keras_object(ours) is activations.tanh
    assert activations.get(ours) is activations.tanh


def test_deserialize_reads_names_and_keras_dicts():
    assert activations.deserialize("sigmoid") is activations.sigmoid
    keras_config = keras.saving.serialize_keras_object(keras.activations.mish)
    assert activations.deserialize(keras_config) is activations.mish


def test_registered_custom_activation_round_trips():
    @register_keras_serializable(package="TestActs")
    def double(x):
        return x * 2

    config = activations.serialize(double)
    assert config == {"module": "builtins", "class_name": "function",  # as Keras 3 writes it
                      "config": "TestActs>double", "registered_name": "function"}
    assert activations.deserialize(config) is double
    assert activations.deserialize("TestActs>double") is double


def test_custom_objects_resolve_unknown_names():
    def triple(x):
        return x * 3

    assert activations.deserialize("triple", custom_objects={"triple": triple}) is triple


def test_unknown_name_lists_nearest_valid_names():
    with pytest.raises(ValueError, match="Could not interpret activation identifier: 'rellu'"
                       r"\. Did you mean one of: relu"):
        activations.get("rellu")


def test_non_callable_identifier_is_rejected():
    with pytest.raises(ValueError, match="Could not interpret activation identifier: 3"):
        activations.get(3)


def _activation_graph(lib):
    """`keras.activations.*` applied to the symbolic tensors of a functional model."""
    inputs = lib.Input((4,))
    h = lib.layers.Dense(3, name="d")(inputs)
    outputs = [lib.activations.swish(h), lib.activations.relu(h, max_value=1.0),
               lib.activations.softmax(h, axis=-1), lib.activations.gelu(h, approximate=True)]
    return lib.Model(inputs, outputs)


def test_activations_apply_to_symbolic_tensors_and_save_as_in_keras(tmp_path):
    import hocsau

    ours, theirs = _activation_graph(hocsau), _activation_graph(keras)
    ours.set_weights(theirs.get_weights())
    x = np.linspace(-2, 2, 8).reshape(2, 4).astype("float32")
    expected = theirs.predict(x, verbose=0)
    assert [tuple(t.shape) for t in ours.outputs] == [(None, 3)] * 4
    for mine, reference in zip(ours.predict(x, verbose=0), expected, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    for path in ("ours.keras", "theirs.keras"):  # ReLU keeps max_value either way
        reloaded = hocsau.models.load_model(tmp_path / path).predict(x, verbose=0)
        for mine, reference in zip(reloaded, expected, strict=True):
            np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
