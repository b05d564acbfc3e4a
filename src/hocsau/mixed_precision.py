"""`hocsau.mixed_precision`: dtype policies ("mixed_float16") and loss scaling."""

from hocsau.dtype_policies import DTypePolicy, global_policy, set_global_policy
from hocsau.optimizers import LossScaleOptimizer

Policy = DTypePolicy
dtype_policy = global_policy
set_dtype_policy = set_global_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
