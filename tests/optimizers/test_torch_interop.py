"""Optimizing plain torch modules, and the hot path staying on the device."""

import numpy as np
import pytest
import torch

from hocsau import optimizers


def test_sgd_momentum_equals_torch_sgd_on_a_module():
    torch.manual_seed(0)
    ours, reference = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    reference.load_state_dict(ours.state_dict())
    x, y = torch.randn(8, 3), torch.randn(8, 2)
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    torch_optimizer = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(5):
        for module in (ours, reference):
            module.zero_grad()
            torch.nn.functional.mse_loss(module(x), y).backward()
        losses.append(torch.nn.functional.mse_loss(ours(x), y).item())
        optimizer.apply_gradients([(p.grad, p) for p in ours.parameters()])
        torch_optimizer.step()
    for mine, theirs in zip(ours.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
    assert losses[-1] < losses[0]
    assert [v.name for v in optimizer.variables[2:]] == ["variable_momentum"] * 2


def test_adam_trains_a_module_and_leaves_autograd_alone():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    x = torch.randn(32, 4)
    y = x.sum(dim=1, keepdim=True)
    optimizer = optimizers.Adam(learning_rate=0.05)
    first = None
    for _ in range(30):
        model.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        first = first if first is not None else loss.item()
        optimizer.apply([p.grad for p in model.parameters()], list(model.parameters()))
    assert loss.item() < 0.2 * first
    assert all(p.requires_grad and p.grad_fn is None for p in model.parameters())
    assert all(not v.requires_grad for v in optimizer.variables)


_READ_BACKS = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__")


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(learning_rate=optimizers.schedules.CosineDecay(0.1, 10, 0.1,
                                                                           warmup_target=0.2,
                                                                           warmup_steps=2),
                            weight_decay=0.01, global_clipnorm=1.0, use_ema=True,
                            ema_overwrite_frequency=3),
    lambda: optimizers.SGD(momentum=0.9, clipnorm=1.0, gradient_accumulation_steps=2),
    lambda: optimizers.Nadam(loss_scale_factor=2.0),
    lambda: optimizers.Ftrl(l1_regularization_strength=0.1, beta=0.1),
    lambda: optimizers.Lamb(),
    lambda: optimizers.LossScaleOptimizer(optimizers.RMSprop(centered=True, momentum=0.5)),
], ids=["adam-features", "sgd-accumulation", "nadam", "ftrl", "lamb", "loss-scale"])
def test_apply_never_reads_values_back_to_the_host(make, monkeypatch):
    parameters = [torch.nn.Parameter(torch.randn(4, 3)), torch.nn.Parameter(torch.randn(3))]
    grads = [torch.randn(4, 3), torch.randn(3)]
    optimizer = make()
    optimizer.apply(grads, parameters)  # builds the state and the step plan

    def read_back(*args, **kwargs):
        raise AssertionError("a value was read back to the host")

    for method in _READ_BACKS:
        monkeypatch.setattr(torch.Tensor, method, read_back)
    monkeypatch.setattr(torch, "as_tensor", read_back)
    monkeypatch.setattr(torch, "tensor", read_back)
    for _ in range(4):
        optimizer.apply(grads, parameters)
    monkeypatch.undo()
    assert int(optimizer.iterations) in (5, 2)
