"""`hocsau.testing`: helpers shared by the test suites of every layer family."""

from hocsau.testing.layer_test import run_layer_test

__all__ = ["run_layer_test"]
