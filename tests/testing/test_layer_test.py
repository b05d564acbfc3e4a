"""run_layer_test passes correct layers and names the check a faulty layer fails."""

import numpy as np
import pytest
import torch

from hocsau import layers
from hocsau.layers.layer import Layer
from hocsau.testing import run_layer_test


class Scale(Layer):
    """A weight per feature; `wired=False` forgets to use it."""

    def __init__(self, wired=True, **kwargs):
        super().__init__(**kwargs)
        self.wired = wired

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="n")

    def call(self, x):
        return x * self.w if self.wired else x * 2.0

    def get_config(self):
        return {**super().get_config(), "wired": self.wired}


class Forgetful(Scale):
    """Drops `wired` from its config, so a revived layer differs."""

    def get_config(self):
        return Layer.get_config(self)


class AddPair(Layer):
    def call(self, pair):
        return pair[0] + pair[1]


CUSTOM = {"Scale": Scale, "Forgetful": Forgetful, "AddPair": AddPair}


def test_correct_layer_passes_every_check():
    run_layer_test(Scale, {}, input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=1,
                   expected_output=np.full((2, 3), 4.0), input_data=np.full((2, 3), 4.0),
                   run_training_check=True, custom_objects=CUSTOM, supports_masking=False)


def test_wrong_shape_is_reported_for_the_symbolic_call():
    with pytest.raises(AssertionError, match=r"symbolic call: expected output shape \(2, 4\)"):
        run_layer_test(layers.Dense, {"units": 3}, input_shape=(2, 5),
                       expected_output_shape=(2, 4))


def test_wrong_weight_counts_are_reported():
    with pytest.raises(AssertionError, match="expected 1 trainable weights, got 2"):
        run_layer_test(layers.Dense, {"units": 3}, input_shape=(2, 5),
                       expected_num_trainable_weights=1)
    with pytest.raises(AssertionError, match="expected 2 non-trainable weights, got 1"):
        run_layer_test(Scale, {}, input_shape=(2, 5), expected_num_non_trainable_weights=2,
                       custom_objects=CUSTOM)


def test_wrong_values_are_reported():
    with pytest.raises(AssertionError, match="Output of scale"):
        run_layer_test(Scale, {"name": "scale"}, input_data=np.ones((1, 2)),
                       expected_output=np.zeros((1, 2)), custom_objects=CUSTOM)


def test_config_that_loses_an_argument_is_caught_by_the_rebuilt_twin():
    with pytest.raises(AssertionError, match=r"set_weights\(get_weights\(\)\) changed the output"):
        run_layer_test(Forgetful, {"wired": False}, input_shape=(2, 3), custom_objects=CUSTOM)


def test_unused_weight_fails_the_training_check():
    with pytest.raises(AssertionError, match="does not depend on any trainable weight"):
        run_layer_test(Scale, {"wired": False}, input_shape=(2, 3), run_training_check=True,
                       custom_objects=CUSTOM)


def test_config_that_changes_on_revival_is_caught():
    class Drifting(Scale):
        def get_config(self):
            return {**super().get_config(), "wired": not self.wired}

    with pytest.raises(AssertionError, match="Config round trip changed the config"):
        run_layer_test(Drifting, {}, input_shape=(2, 3), custom_objects=CUSTOM)


def test_masking_expectation_is_checked():
    with pytest.raises(AssertionError, match="Expected supports_masking=True, got False"):
        run_layer_test(layers.Flatten, {}, input_shape=(2, 3), supports_masking=True)


def test_list_inputs_dtypes_and_losses():
    run_layer_test(AddPair, {}, input_shape=[(2, 3), (2, 3)], expected_output_shape=(2, 3),
                   input_dtype="int64", expected_output_dtype="int64", expected_num_losses=0,
                   custom_objects=CUSTOM)


def test_inputs_are_required():
    with pytest.raises(ValueError, match="needs `input_shape` or `input_data`"):
        run_layer_test(layers.Dense, {"units": 1})


def test_training_check_runs_dropout_in_training_mode():
    layer = layers.Dropout(0.5)
    assert torch.equal(layer(torch.ones(2, 2)), torch.ones(2, 2))
    run_layer_test(layers.Dropout, {"rate": 0.5}, input_shape=(4, 8), run_training_check=True,
                   expected_output_shape=(4, 8))
