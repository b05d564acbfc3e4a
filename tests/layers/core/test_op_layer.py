"""OpLayer: tensor functions applied to symbolic tensors, with tensor constants."""

import numpy as np
import torch

import hocsau


def test_tensor_constants_follow_the_symbolic_inputs():
    x = hocsau.Input((3,))
    y = x - torch.tensor([1.0, 2.0, 3.0])
    assert tuple(y.shape) == (None, 3)
    model = hocsau.Model(x, y * torch.tensor(2.0))
    np.testing.assert_allclose(model.predict(np.ones((2, 3), "float32"), verbose=0),
                               [[0.0, -2.0, -4.0]] * 2)


def test_tensor_computed_at_build_time_is_a_graph_constant():
    """A layer called on a concrete tensor while the functional model is built gives a
    constant of the graph (as under TensorFlow): training runs step after step (the autograd
    history would be freed by the first backward pass), gradients reach the graph's own
    weights, and the captured value stays fixed."""
    hocsau.utils.set_random_seed(0)
    inputs = hocsau.Input(shape=(3, 2))
    column_embedding = hocsau.layers.Embedding(input_dim=3, output_dim=2)
    constant = column_embedding(hocsau.ops.arange(3))
    outputs = hocsau.layers.Dense(1)(inputs + constant)
    model = hocsau.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x = np.linspace(0, 1, 24, dtype="float32").reshape(4, 3, 2)
    dense_before = model.layers[-1].get_weights()[0].copy()
    history = model.fit(x, np.ones((4, 3, 1), "float32"), batch_size=2, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert not np.allclose(model.layers[-1].get_weights()[0], dense_before)
    expected = x + constant.detach().numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               expected @ model.layers[-1].get_weights()[0]
                               + model.layers[-1].get_weights()[1], rtol=1e-5, atol=1e-6)


def test_layer_nodes_keep_build_time_tensors_as_constants():
    """The same for a layer called on a symbolic and a concrete tensor (Add, attention)."""
    inputs = hocsau.Input(shape=(3, 2))
    constant = hocsau.layers.Embedding(3, 2)(hocsau.ops.arange(3))[None]
    added = hocsau.layers.Add()([inputs, hocsau.ops.broadcast_to(constant, (1, 3, 2))])
    attended = hocsau.layers.MultiHeadAttention(1, 2)(inputs, constant)
    model = hocsau.Model(inputs, hocsau.layers.Dense(1)(added + attended))
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 3, 2), "float32")
    history = model.fit(x, np.ones((4, 3, 1), "float32"), batch_size=2, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all() and len(history.history["loss"]) == 2
