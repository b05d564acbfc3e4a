"""Keras guides and examples as programs: each test file holds `program(keras, ...)`, run on
hocsau and, to prove the program itself right, on Keras 3 (torch backend)."""

import pytest


@pytest.fixture(scope="module")
def real_keras():
    """Keras 3, the reference the programs were checked against."""
    return pytest.importorskip("keras")
