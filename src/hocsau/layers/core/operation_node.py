"""`OperationNode`: the graph node recording a user `Operation` called on symbolic tensors."""

from __future__ import annotations

from hocsau.layers.core.op_layer import OpLayer


class OperationNode(OpLayer):
    """Runs the operation's `call`; infers outputs with the operation's own
    `compute_output_spec` when it defines one, else by a dry run of `call`."""

    def __init__(self, operation, args: tuple, kwargs: dict):
        def run(*call_args, **call_kwargs):
            return operation.call(*call_args, **call_kwargs)

        run.__name__ = operation.name
        super().__init__(run, args, kwargs)
        self.operation = operation

    def compute_output_spec(self, *tensors, **kwargs):
        from hocsau.ops.operation import Operation

        if type(self.operation).compute_output_spec is Operation.compute_output_spec:
            return super().compute_output_spec(*tensors, **kwargs)
        args, kwargs = self._filled(tensors)
        return self.operation.compute_output_spec(*args, **kwargs)
