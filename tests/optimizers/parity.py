"""Run a hocsau optimizer and its Keras 3 twin on the same weights and gradients."""

import keras
import numpy as np
import torch

from hocsau import optimizers
from hocsau.variable import Variable

SHAPES = {"dense/kernel": (3, 4), "dense/bias": (4,), "conv/kernel": (2, 2, 3, 2)}


def make_case(steps=4, seed=0, shapes=SHAPES):
    """Initial values and `steps` gradient lists for `shapes` (float32 arrays)."""
    rng = np.random.default_rng(seed)
    inits = {p: rng.normal(size=s).astype("float32") for p, s in shapes.items()}
    grads = [[rng.normal(size=s).astype("float32") for s in shapes.values()]
             for _ in range(steps)]
    return inits, grads


def hocsau_variables(inits):
    result = []
    for path, value in inits.items():
        variable = Variable(value, name=path.split("/")[-1])
        variable._path = path
        result.append(variable)
    return result


def keras_variables(inits):
    result = []
    for path, value in inits.items():
        scope, name = path.split("/")
        with keras.name_scope(scope):
            result.append(keras.Variable(value, name=name))
    return result


def run(optimizer, variables, grads):
    for step_grads in grads:
        optimizer.apply([None if g is None else torch.tensor(g) for g in step_grads], variables)


def run_pair(name, kwargs, keras_kwargs=None, steps=4, seed=0):
    """(hocsau optimizer, its variables, Keras optimizer, its variables) after `steps`."""
    inits, grads = make_case(steps, seed)
    ours, theirs = hocsau_variables(inits), keras_variables(inits)
    hocsau_optimizer = getattr(optimizers, name)(**kwargs)
    keras_optimizer = getattr(keras.optimizers, name)(**(keras_kwargs or kwargs))
    run(hocsau_optimizer, ours, grads)
    run(keras_optimizer, theirs, grads)
    return hocsau_optimizer, ours, keras_optimizer, theirs


def assert_close(ours, theirs, rtol=1e-5, atol=1e-6):
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(np.asarray(mine.numpy(), dtype="float64"),
                                   np.asarray(keras.ops.convert_to_numpy(reference),
                                              dtype="float64"), rtol=rtol, atol=atol)
