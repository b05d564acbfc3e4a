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
