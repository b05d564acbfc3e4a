"""The plain PyTorch side of the benchmarks: the seed models as torch modules and the
hand-written training loop and inference a PyTorch user would write for them.

The torch models output logits (the Keras ones end in softmax / sigmoid) and train with
`CrossEntropyLoss` / `BCEWithLogitsLoss`, as PyTorch code usually does.
"""

from __future__ import annotations

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


BCE = nn.BCEWithLogitsLoss()


def positive(logits: torch.Tensor) -> torch.Tensor:
    """Binary predictions from one logit per sample."""
    return (logits > 0).float()


def torch_fit(model, x, y, epochs: int, batch: int, loss_fn=None, predicted=None) -> None:
    """The hand-written loop: Adam, shuffled batches, the loss and a running accuracy, one
    host sync an epoch (defaults: crossentropy on logits, argmax predictions)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    predicted = predicted or (lambda logits: logits.argmax(1))
    model.train()
    n = x.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n, device=x.device)
        xs, ys = x[perm], y[perm]
        correct = torch.zeros((), device=x.device)
        for start in range(0, n, batch):
            xb, yb = xs[start:start + batch], ys[start:start + batch]
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            correct += (predicted(logits) == yb).sum()
        float(correct)


def torch_predict(model, x, batch: int):
    """`no_grad` inference in batches, softmax probabilities gathered into one numpy array."""
    model.eval()
    with torch.no_grad():
        outs = [torch.softmax(model(x[i:i + batch]), -1) for i in range(0, len(x), batch)]
        return torch.cat(outs).cpu().numpy()
