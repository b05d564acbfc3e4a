"""`MomentOptimizer`: the shared frame of Adam-like optimizers (two slots per variable)."""

from __future__ import annotations

from hocsau.optimizers.optimizer import Optimizer


class MomentOptimizer(Optimizer):
    """An optimizer with `beta_1`, `beta_2` and `epsilon`, and two slots per variable
    (`_momentums`, `_velocities`, named by `_slot_names` as Keras names them)."""

    _slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, list(self._slot_names))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
