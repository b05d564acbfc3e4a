"""keras.io example "Image classification from scratch" (keras-io
examples/vision/image_classification_from_scratch.py), adapted to tiny generated PNGs: the
two-class folder read by `image_dataset_from_directory` with `validation_split` and
`subset="both"`, augmentation (RandomFlip, RandomRotation) mapped over the dataset, the
example's Xception-like residual convnet (Rescaling, SeparableConv2D, BatchNormalization,
residual adds) shrunk, fit with ModelCheckpoint("save_at_{epoch}.keras"), and inference on a
file through `load_img` / `img_to_array`.

Keras's directory loader needs TensorFlow, so the data pipeline runs on hocsau only (checked
against the example's documented behaviour); the model runs on both libraries."""

import os

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

IMAGE_SIZE = (24, 24)


def make_model(keras, input_shape, num_classes):
    layers = keras.layers
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [12, 16]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.SeparableConv2D(24, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    units = 1 if num_classes == 2 else num_classes
    x = layers.Dropout(0.25)(x)
    return keras.Model(inputs, layers.Dense(units, activation=None)(x))


def images(n=24):
    """Bright "dogs" and dark "cats" with noise, as uint8 images."""
    rng = np.random.default_rng(0)
    labels = np.arange(n) % 2
    base = np.where(labels[:, None, None, None] == 1, 170, 80)
    noise = rng.integers(-60, 60, (n, *IMAGE_SIZE, 3))
    return np.clip(base + noise, 0, 255).astype("uint8"), labels


def model_program(keras, weights=None):
    keras.utils.set_random_seed(0)
    model = make_model(keras, input_shape=IMAGE_SIZE + (3,), num_classes=2)
    if weights is not None:
        set_layer_weights(model, weights)
    x, _ = images()
    return {"initial": layer_weights(model), "logits": model.predict(x.astype("float32"),
                                                                     verbose=0),
            "params": model.count_params(), "output_shape": model.output_shape,
            "layer_count": len(model.layers)}


def write_folder(directory):
    from PIL import Image

    x, labels = images()
    for i, (image, label) in enumerate(zip(x, labels, strict=True)):
        folder = os.path.join(directory, ("Cat", "Dog")[label])
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(image).save(os.path.join(folder, f"{i}.png"))


def pipeline_program(keras, directory):
    """The example's data pipeline and training loop on the generated folder."""
    write_folder(os.path.join(directory, "PetImages"))
    keras.utils.set_random_seed(0)
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        os.path.join(directory, "PetImages"), validation_split=0.25, subset="both",
        seed=1337, image_size=IMAGE_SIZE, batch_size=6)
    augmentation_layers = [keras.layers.RandomFlip("horizontal"),
                           keras.layers.RandomRotation(0.1)]

    def data_augmentation(batch):
        for layer in augmentation_layers:
            batch = layer(batch)
        return batch

    first_images, first_labels = next(iter(train_ds))
    class_names = train_ds.class_names
    # `keras.data` is hocsau's tf.data replacement (the example uses tf.data.AUTOTUNE).
    train_ds = train_ds.map(lambda img, label: (data_augmentation(img), label),
                            num_parallel_calls=keras.data.AUTOTUNE).prefetch(2)
    model = make_model(keras, input_shape=IMAGE_SIZE + (3,), num_classes=2)
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(name="acc")])
    checkpoint = os.path.join(directory, "save_at_{epoch}.keras")
    history = model.fit(train_ds, epochs=3, validation_data=val_ds, verbose=0,
                        callbacks=[keras.callbacks.ModelCheckpoint(checkpoint)])
    img = keras.utils.load_img(os.path.join(directory, "PetImages", "Dog", "1.png"),
                               target_size=IMAGE_SIZE)
    img_array = keras.ops.expand_dims(keras.utils.img_to_array(img), 0)
    score = float(keras.ops.sigmoid(model.predict(img_array, verbose=0)[0][0]))
    return {"class_names": class_names,
            "batch_shapes": (tuple(first_images.shape), tuple(first_labels.shape)),
            "history": history.history, "score": score,
            "checkpoints": sorted(f for f in os.listdir(directory) if f.endswith(".keras")),
            "val_batches": sum(1 for _ in val_ds)}


def check_model(result):
    assert result["output_shape"] == (None, 1)
    assert result["logits"].shape == (24, 1)


def check_pipeline(result):
    assert result["class_names"] == ["Cat", "Dog"]
    assert result["batch_shapes"] == ((6, *IMAGE_SIZE, 3), (6,))
    assert result["val_batches"] == 1
    assert set(result["history"]) == {"loss", "acc", "val_loss", "val_acc"}
    assert len(result["history"]["loss"]) == 3
    assert result["checkpoints"] == ["save_at_1.keras", "save_at_2.keras", "save_at_3.keras"]
    assert 0.0 <= result["score"] <= 1.0


def test_model_program_on_keras(real_keras):
    check_model(model_program(real_keras))


def test_model_program_on_hocsau():
    check_model(model_program(hocsau))


def test_model_same_weights_same_logits_as_keras(real_keras):
    theirs = model_program(real_keras)
    ours = model_program(hocsau, weights=theirs["initial"])
    assert ours["params"] == theirs["params"] and ours["layer_count"] == theirs["layer_count"]
    assert_nested_close(ours["logits"], theirs["logits"], rtol=1e-4, atol=1e-5)


def test_pipeline_program_on_hocsau(tmp_path):
    check_pipeline(pipeline_program(hocsau, str(tmp_path)))
