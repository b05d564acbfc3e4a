"""The larger EfficientNets, built with weights=None: Keras 3.15's parameter and layer counts.

Building B4-B7, V2M and V2L takes tens of seconds even with cheap initializers, so the suite
covers the scaling rules with a subset: depth scaling alone (B1), width and depth (B3, V2B3)
and V2S's own stage table. The counts are Keras's `count_params()` and `len(model.layers)` for
the default `include_top=True` models.
"""

import pytest
from efficientnet_helpers import cheap_initializers

import hocsau

KERAS_COUNTS = {  # name: (total params, trainable params, layers)
    "EfficientNetB1": (7_856_239, 7_794_184, 342),
    "EfficientNetB3": (12_320_535, 12_233_232, 387),
    "EfficientNetV2B3": (14_467_622, 14_358_406, 412),
    "EfficientNetV2S": (21_612_360, 21_458_488, 516),
}


@pytest.mark.parametrize("name", sorted(KERAS_COUNTS))
def test_parameter_counts_match_keras(name):
    with cheap_initializers():
        model = getattr(hocsau.applications, name)(weights=None)
    trainable = sum(w.numel() for w in model.trainable_weights)
    assert (model.count_params(), trainable, len(model.layers)) == KERAS_COUNTS[name]
    assert model.output_shape == (None, 1000)
