"""keras.io guide "Multi-GPU distributed training with PyTorch" (keras-team/keras-io
guides/distributed_training_with_torch.py) as a script, adapted to 2 CPU processes: gloo in
place of nccl, a file rendezvous in place of a fixed port, no `.cuda()` / device ids, and 64
random images with int64 labels in place of MNIST. Otherwise the guide's code: a Keras
functional convnet wrapped in `DistributedDataParallel`, a torch optimizer and loss, a
`DistributedSampler`, processes started with `torch.multiprocessing.start_processes` (fork).

Usage: python distributed_torch_guide.py {hocsau|keras} OUT_DIR. Each process writes its
losses and weights to OUT_DIR/rank<i>.npz, then ends with os._exit (gloo's threads may abort
the interpreter's teardown)."""

import datetime
import os
import sys

import numpy as np
import torch

LIBRARY, OUT_DIR = sys.argv[1], sys.argv[2]
if LIBRARY == "keras":
    os.environ["KERAS_BACKEND"] = "torch"
    import keras
else:
    import hocsau as keras


def get_model():
    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.layers.Rescaling(1.0 / 255.0)(inputs)
    x = keras.layers.Conv2D(filters=12, kernel_size=3, padding="same", use_bias=False)(x)
    x = keras.layers.BatchNormalization(scale=False, center=True)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(filters=24, kernel_size=6, use_bias=False, strides=2)(x)
    x = keras.layers.BatchNormalization(scale=False, center=True)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(filters=32, kernel_size=6, padding="same", strides=2,
                            name="large_k")(x)
    x = keras.layers.BatchNormalization(scale=False, center=True)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(256, activation="relu")(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(10)(x)
    return keras.Model(inputs, outputs)


def get_dataset():
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (64, 28, 28)).astype("float32")
    y_train = (x_train[:, 14, :10].argmax(axis=1)).astype("int64")
    x_train = np.expand_dims(x_train, -1)
    return torch.utils.data.TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))


def train_model(model, dataloader, num_epochs, optimizer, loss_fn):
    losses = []
    for epoch in range(num_epochs):
        running_loss = 0.0
        running_loss_count = 0
        for _batch_idx, (inputs, targets) in enumerate(dataloader):
            outputs = model(inputs)
            loss = loss_fn(outputs, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            running_loss_count += 1
        losses.append(running_loss / running_loss_count)
        print(f"Epoch {epoch + 1}/{num_epochs}, Loss: {running_loss / running_loss_count}")
    return losses


num_gpu = 2
num_epochs = 2
batch_size = 16


def setup_device(current_gpu_index, num_gpus):
    torch.set_num_threads(1)
    torch.distributed.init_process_group(
        backend="gloo", init_method=f"file://{os.path.join(OUT_DIR, 'rdzv')}",
        world_size=num_gpus, rank=current_gpu_index, timeout=datetime.timedelta(seconds=60))


def cleanup():
    torch.distributed.destroy_process_group()


def prepare_dataloader(dataset, current_gpu_index, num_gpus, batch_size):
    sampler = torch.utils.data.distributed.DistributedSampler(
        dataset, num_replicas=num_gpus, rank=current_gpu_index, shuffle=False)
    return torch.utils.data.DataLoader(dataset, sampler=sampler, batch_size=batch_size,
                                       shuffle=False)


def per_device_launch_fn(current_gpu_index, num_gpu):
    setup_device(current_gpu_index, num_gpu)
    keras.utils.set_random_seed(current_gpu_index)  # different replicas until DDP syncs them
    dataset = get_dataset()
    model = get_model()
    dataloader = prepare_dataloader(dataset, current_gpu_index, num_gpu, batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    ddp_model = torch.nn.parallel.DistributedDataParallel(model)
    losses = train_model(ddp_model, dataloader, num_epochs, optimizer, loss_fn)
    trainable = {f"trainable_{i}": keras.ops.convert_to_numpy(w)
                 for i, w in enumerate(model.trainable_weights)}
    fixed = {f"fixed_{i}": keras.ops.convert_to_numpy(w)
             for i, w in enumerate(model.non_trainable_weights)}
    np.savez(os.path.join(OUT_DIR, f"rank{current_gpu_index}.npz"), losses=np.array(losses),
             **trainable, **fixed)
    cleanup()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    torch.multiprocessing.start_processes(per_device_launch_fn, args=(num_gpu,),
                                          nprocs=num_gpu, join=True, start_method="fork")
