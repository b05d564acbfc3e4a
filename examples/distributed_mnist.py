"""Data-parallel training on PyTorch DDP, with Keras code.

    torchrun --standalone --nproc_per_node=2 examples/distributed_mnist.py

Each of the 2 processes trains on half of every global batch of 128; the weights stay equal
on both and only process 0 prints and writes the checkpoint. Synthetic MNIST-shaped data, so
it runs in seconds on CPU (gloo) or on GPUs (nccl, one process per GPU). Run with plain
`python` it trains in one process.
"""

import os
import tempfile

import numpy as np

import hocsau as keras

keras.distribution.set_distribution(keras.distribution.DataParallel())  # joins torchrun's group

rng = np.random.default_rng(0)
x = rng.random((2048, 28, 28, 1), dtype="float32")
y = (x.reshape(2048, -1)[:, :392].mean(axis=1) > x.reshape(2048, -1)[:, 392:].mean(axis=1))
y = y.astype("int64") + 2 * (x[:, 0, 0, 0] > 0.5)  # 4 learnable classes

keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(4, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
checkpoint = os.path.join(tempfile.gettempdir(), "hocsau_distributed_mnist.keras")
model.fit(x, y, batch_size=128, epochs=3, validation_split=0.1,
          callbacks=[keras.callbacks.ModelCheckpoint(checkpoint)])
loss, accuracy = model.evaluate(x, y, batch_size=256, verbose=0)
if keras.distribution.process_id() == 0:
    print(f"{keras.distribution.num_processes()} processes: loss={loss:.4f} "
          f"accuracy={accuracy:.4f}; checkpoint {checkpoint}")
