"""The plain-PyTorch path: a hocsau model is an `nn.Module` that `torch.export` takes as it
is, and `format="torch"` writes a `.pt2` program that runs without hocsau."""

import numpy as np
import torch

import hocsau as keras
from hocsau import layers


class Scorer(keras.Model):
    """A subclassed model with a mask-producing Embedding and an LSTM."""

    def __init__(self):
        super().__init__()
        self.embedding = layers.Embedding(30, 4, mask_zero=True)
        self.lstm = layers.LSTM(3)
        self.head = layers.Dense(1)

    def call(self, ids):
        return self.head(self.lstm(self.embedding(ids)))


def test_torch_export_takes_a_functional_model_as_any_module():
    inputs = keras.Input((6,))
    hidden = layers.Dense(5, name="hidden")(inputs)
    model = keras.Model(inputs, layers.Dense(2, activation="tanh", name="out")(hidden))
    batch = torch.export.Dim("batch")
    program = torch.export.export(model, (torch.rand(4, 6),), dynamic_shapes=({0: batch},))
    x = torch.rand(9, 6)
    np.testing.assert_allclose(program.module()(x).detach().numpy(),
                               model.predict(x.numpy(), verbose=0), atol=1e-6)
    assert sorted(program.state_dict) == ["hidden.bias", "hidden.kernel", "out.bias",
                                          "out.kernel"]


def test_subclassed_model_to_pt2_runs_with_plain_torch(tmp_path, capsys):
    model = Scorer()
    ids = np.array([[0, 0, 3, 4, 5], [1, 2, 3, 0, 0]], dtype="int64")
    model(ids)  # subclassed models are exported for the shapes of their first call
    model.export(tmp_path / "scorer.pt2", format="torch",
                 input_signature=[keras.InputSpec(shape=(None, 5), dtype="int64")])
    assert capsys.readouterr().out.startswith("Saved PyTorch ExportedProgram at")
    program = torch.export.load(str(tmp_path / "scorer.pt2")).module()
    batch = np.array([[0, 7, 8, 9, 1], [2, 0, 0, 0, 0], [5, 6, 7, 8, 9]], dtype="int64")
    (out,) = program(torch.from_numpy(batch))
    np.testing.assert_allclose(out.detach().numpy(), model.predict(batch, verbose=0),
                               atol=1e-6)
