"""The plain PyTorch side of the benchmarks: the seed models as torch modules and the
hand-written training loop and inference a PyTorch user would write for them.

The torch models output logits (the Keras ones end in softmax / sigmoid) and train with
`CrossEntropyLoss` / `BCEWithLogitsLoss`, as PyTorch code usually does.
"""

from __future__ import annotations

import contextlib

import torch
from _seed_models import DENSE, EMBED, UNITS, VOCAB

nn = torch.nn


def torch_mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def torch_lenet() -> nn.Module:
    """Seed 000's LeNet in NCHW."""
    return nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 64, 5), nn.ReLU(),
                         nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32),
                         nn.ReLU(), nn.Linear(32, 10))


class TorchSpam(nn.Module):
    """Seed 000's spam model: Embedding, `nn.LSTM`, Dense-ReLU-Dropout, one logit."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.head = nn.Sequential(nn.Linear(UNITS, DENSE), nn.ReLU(), nn.Dropout(0.5),
                                  nn.Linear(DENSE, 1))

    def forward(self, ids):
        _, (h, _) = self.lstm(self.embedding(ids))
        return self.head(h[0])[:, 0]


class Bottleneck(nn.Module):
    """A ResNet50 v1 block as `keras.applications.ResNet50` builds it: the stride on the
    first 1x1 convolution, a projection shortcut in each stage's first block."""

    def __init__(self, channels: int, filters: int, stride: int, project: bool):
        super().__init__()

        def conv_bn(cin, cout, kernel, stride=1):
            return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2),
                    nn.BatchNorm2d(cout, eps=1.001e-5)]

        self.body = nn.Sequential(*conv_bn(channels, filters, 1, stride), nn.ReLU(),
                                  *conv_bn(filters, filters, 3), nn.ReLU(),
                                  *conv_bn(filters, 4 * filters, 1))
        self.shortcut = (nn.Sequential(*conv_bn(channels, 4 * filters, 1, stride)) if project
                         else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def torch_resnet50(classes: int = 1000) -> nn.Module:
    """ResNet50 in NCHW with Keras's layout of strides (v1), logits out."""
    stack = [nn.Conv2d(3, 64, 7, 2, 3), nn.BatchNorm2d(64, eps=1.001e-5), nn.ReLU(),
             nn.MaxPool2d(3, 2, 1)]
    channels = 64
    for filters, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for block in range(blocks):
            stack.append(Bottleneck(channels, filters, stride if block == 0 else 1, block == 0))
            channels = 4 * filters
    stack += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes)]
    return nn.Sequential(*stack)


BCE = nn.BCEWithLogitsLoss()


def positive(logits: torch.Tensor) -> torch.Tensor:
    """Binary predictions from one logit per sample."""
    return (logits > 0).float()


def torch_fit(model, x, y, epochs: int, batch: int, loss_fn=None, predicted=None,
              amp: torch.dtype | None = None, clock=None) -> None:
    """The hand-written loop: Adam, shuffled batches, the loss and a running accuracy, one
    host sync an epoch (defaults: crossentropy on logits, argmax predictions). `amp`
    (torch.float16 / torch.bfloat16) runs the forward pass under autocast, and scales the loss
    with a `GradScaler` for float16. `clock.begin()` / `clock.end()` bracket each epoch, where
    Keras's `on_epoch_begin` / `on_epoch_end` would run."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    predicted = predicted or (lambda logits: logits.argmax(1))
    autocast = _autocast(x.device, amp)
    scaler = torch.amp.GradScaler(x.device.type) if amp == torch.float16 else None
    model.train()
    n = x.shape[0]
    for _ in range(epochs):
        if clock is not None:
            clock.begin()
        perm = torch.randperm(n, device=x.device)
        xs, ys = x[perm], y[perm]
        correct = torch.zeros((), device=x.device)
        for start in range(0, n, batch):
            xb, yb = xs[start:start + batch], ys[start:start + batch]
            optimizer.zero_grad(set_to_none=True)
            with autocast:
                logits = model(xb)
                loss = loss_fn(logits, yb)
            if scaler is None:
                loss.backward()
                optimizer.step()
            else:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            correct += (predicted(logits) == yb).sum()
        float(correct)
        if clock is not None:
            clock.end()


def softmax(logits: torch.Tensor) -> torch.Tensor:
    return torch.softmax(logits, -1)


def torch_predict(model, x, batch: int, activation=softmax, amp: torch.dtype | None = None):
    """`no_grad` inference in batches (under autocast with `amp`), the probabilities gathered
    into one numpy array."""
    model.eval()
    with torch.no_grad(), _autocast(x.device, amp):
        outs = [activation(model(x[i:i + batch])).float() for i in range(0, len(x), batch)]
        return torch.cat(outs).cpu().numpy()


def _autocast(device: torch.device, amp: torch.dtype | None):
    return contextlib.nullcontext() if amp is None else torch.autocast(device.type, dtype=amp)
