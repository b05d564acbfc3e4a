"""keras.io guide "Writing a training loop from scratch in PyTorch" (keras-team/keras-io
guides/writing_a_custom_training_loop_in_torch.py), adapted to tiny random data in place of
MNIST: a torch optimizer over `model.parameters()` with a torch loss; a Keras optimizer applied
to `v.value.grad` of `model.trainable_weights` under `torch.no_grad()`; CategoricalAccuracy
metrics updated, read and reset by hand with a validation loop over a torch DataLoader; and a
layer's `add_loss` activity regularization summed from `model.losses` into the loss."""

import numpy as np
import torch
from guide_helpers import assert_nested_close

import hocsau

BATCH_SIZE = 32
EPOCHS = 2


def dataloaders(keras):
    rng = np.random.default_rng(0)
    x_train = rng.random((160, 784)).astype("float32")
    y_train = keras.utils.to_categorical(x_train[:, :10].argmax(axis=1))
    x_val = rng.random((64, 784)).astype("float32")
    y_val = keras.utils.to_categorical(x_val[:, :10].argmax(axis=1), num_classes=10)
    train_dataset = torch.utils.data.TensorDataset(
        torch.from_numpy(x_train), torch.from_numpy(y_train))
    val_dataset = torch.utils.data.TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val))
    # A seeded generator keeps the shuffled order the same under both libraries.
    train_dataloader = torch.utils.data.DataLoader(
        train_dataset, batch_size=BATCH_SIZE, shuffle=True,
        generator=torch.Generator().manual_seed(0))
    val_dataloader = torch.utils.data.DataLoader(val_dataset, batch_size=BATCH_SIZE,
                                                 shuffle=False)
    return train_dataloader, val_dataloader


def get_model(keras, regularized_layer=None):
    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(64, activation="relu")(inputs)
    if regularized_layer is not None:
        x = regularized_layer()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(10, name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def define_regularization_layer(keras):
    class ActivityRegularizationLayer(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(1e-2 * torch.sum(inputs))
            return inputs

    return ActivityRegularizationLayer


def torch_native_loop(model, train_dataloader):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for _epoch in range(EPOCHS):
        for step, (inputs, targets) in enumerate(train_dataloader):
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            model.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach().numpy()))
            if step % 100 == 0:
                print(f"Training loss (for 1 batch) at step {step}: {loss.detach().numpy():.4f}")
    return losses


def keras_loop(keras, model, train_dataloader, val_dataloader):
    """The guide's loop with a Keras optimizer, loss and metrics, and `model.losses`."""
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.CategoricalAccuracy()
    val_acc_metric = keras.metrics.CategoricalAccuracy()
    record = {"loss": [], "train_acc": [], "val_acc": [], "extra_losses": []}
    for _epoch in range(EPOCHS):
        for _step, (inputs, targets) in enumerate(train_dataloader):
            logits = model(inputs)
            loss = loss_fn(targets, logits)
            record["extra_losses"].append(len(model.losses))
            if model.losses:
                loss = loss + torch.sum(*model.losses)
            model.zero_grad()
            trainable_weights = [v for v in model.trainable_weights]
            loss.backward()
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                optimizer.apply(gradients, trainable_weights)
            train_acc_metric.update_state(targets, logits)
            record["loss"].append(float(loss.detach().numpy()))
        record["train_acc"].append(float(train_acc_metric.result()))
        train_acc_metric.reset_state()
        for x_batch_val, y_batch_val in val_dataloader:
            val_logits = model(x_batch_val, training=False)
            val_acc_metric.update_state(y_batch_val, val_logits)
        record["val_acc"].append(float(val_acc_metric.result()))
        val_acc_metric.reset_state()
    record["reset_result"] = float(val_acc_metric.result())
    record["iterations"] = int(optimizer.iterations.numpy())
    return record


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    train_dataloader, val_dataloader = dataloaders(keras)
    models = [get_model(keras), get_model(keras),
              get_model(keras, define_regularization_layer(keras))]
    initial = [model.get_weights() for model in models]
    for model, values in zip(models, weights or [None] * 3, strict=True):
        if values is not None:
            model.set_weights(values)
    native = torch_native_loop(models[0], train_dataloader)
    plain = keras_loop(keras, models[1], train_dataloader, val_dataloader)
    regularized = keras_loop(keras, models[2], train_dataloader, val_dataloader)
    return {"initial": initial, "native": native, "plain": plain, "regularized": regularized,
            "parameters": len(list(models[0].parameters())),
            "final": [model.get_weights() for model in models]}


def check(result):
    steps = EPOCHS * 160 // BATCH_SIZE
    assert result["parameters"] == 6
    assert len(result["native"]) == steps and result["native"][-1] < result["native"][0]
    plain, regularized = result["plain"], result["regularized"]
    assert plain["iterations"] == steps and plain["loss"][-1] < plain["loss"][0]
    assert plain["extra_losses"] == [0] * steps
    assert regularized["extra_losses"] == [1] * steps
    assert len(plain["val_acc"]) == EPOCHS and 0.0 <= plain["val_acc"][-1] <= 1.0
    assert plain["reset_result"] == 0.0
    # The native loop moved every parameter the torch optimizer was given.
    assert all(not np.allclose(a, b) for a, b in zip(result["initial"][0], result["final"][0],
                                                     strict=True))


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    for key in ("native", "plain", "regularized", "final"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
