"""keras.io example "Knowledge Distillation" (keras-io examples/vision/knowledge_distillation.py,
the Keras 3 version), adapted to random 12x12 "MNIST" digits: a teacher and a smaller student
Sequential convnet (Conv2D, LeakyReLU(negative_slope=...), MaxPooling2D, Flatten, Dense
logits), a `clone_model` copy of the student trained from scratch for comparison, and the
`Distiller` model that overrides `compile` (extra loss functions, alpha, temperature) and
`compute_loss` (the teacher's softened predictions against the student's through
KLDivergence, scaled by temperature**2), with `call` returning the student's logits."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

SHAPE = (12, 12, 1)


def define_distiller(keras):
    ops = keras.ops

    class Distiller(keras.Model):
        def __init__(self, student, teacher):
            super().__init__()
            self.teacher = teacher
            self.student = student

        def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn,
                    alpha=0.1, temperature=3):
            super().compile(optimizer=optimizer, metrics=metrics)
            self.student_loss_fn = student_loss_fn
            self.distillation_loss_fn = distillation_loss_fn
            self.alpha = alpha
            self.temperature = temperature

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            teacher_pred = self.teacher(x, training=False)
            student_loss = self.student_loss_fn(y, y_pred)
            distillation_loss = self.distillation_loss_fn(
                ops.softmax(teacher_pred / self.temperature, axis=1),
                ops.softmax(y_pred / self.temperature, axis=1),
            ) * (self.temperature**2)
            loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
            return loss

        def call(self, x):
            return self.student(x)

    return Distiller


def convnet(keras, filters, name):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=SHAPE),
            layers.Conv2D(filters, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
            layers.Conv2D(2 * filters, (3, 3), strides=(2, 2), padding="same"),
            layers.Flatten(),
            layers.Dense(10),
        ],
        name=name,
    )


def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (48,) + SHAPE[:2]).astype("float32") / 255.0
    x = np.reshape(x, (-1,) + SHAPE)
    y = (x.reshape(48, -1).mean(1) * 10 % 10).astype("int64")
    return x[:32], y[:32], x[32:], y[32:]


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    teacher = convnet(keras, 8, "teacher")
    student = convnet(keras, 4, "student")
    student_scratch = keras.models.clone_model(student)
    models = (teacher, student, student_scratch)  # the clone is named "student" too
    if weights is not None:
        for model, values in zip(models, weights, strict=True):
            set_layer_weights(model, values)
    initial = [layer_weights(model) for model in models]
    x_train, y_train, x_test, y_test = data()
    results = {"initial": initial}

    teacher.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    results["teacher"] = teacher.fit(x_train, y_train, epochs=3, batch_size=32,
                                     verbose=0).history
    results["teacher_test"] = teacher.evaluate(x_test, y_test, verbose=0)

    Distiller = define_distiller(keras)
    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(
        optimizer=keras.optimizers.Adam(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
        student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        distillation_loss_fn=keras.losses.KLDivergence(),
        alpha=0.1,
        temperature=10,
    )
    teacher_before = teacher.predict(x_test, verbose=0)
    results["distiller"] = distiller.fit(x_train, y_train, epochs=3, batch_size=32,
                                         verbose=0).history
    results["distiller_test"] = distiller.evaluate(x_test, y_test, verbose=0)
    # The teacher is a tracked sublayer, so its weights are among the distiller's trainable
    # ones and move with the distillation loss (in Keras 3 as well).
    results["teacher_after"] = teacher.predict(x_test, verbose=0)
    results["teacher_trained"] = not np.allclose(teacher_before, results["teacher_after"])
    results["student_predictions"] = student.predict(x_test, verbose=0)

    student_scratch.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    results["scratch"] = student_scratch.fit(x_train, y_train, epochs=3, batch_size=32,
                                             verbose=0).history
    results["scratch_test"] = student_scratch.evaluate(x_test, y_test, verbose=0)
    results["scratch_is_new"] = student_scratch is not student and all(
        a is not b for a, b in zip(student_scratch.weights, student.weights, strict=True))
    return results


def check(result):
    assert result["teacher_trained"] and result["scratch_is_new"]
    for key in ("teacher", "distiller", "scratch"):
        history = result[key]
        assert set(history) == {"loss", "sparse_categorical_accuracy"}, history
        assert history["loss"][-1] < history["loss"][0]
    assert len(result["distiller_test"]) == 2
    assert result["student_predictions"].shape == (16, 10)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_distillation_as_keras(real_keras):
    """No randomness once the weights agree: each epoch is one full batch, so the two
    libraries' different shuffles only reorder a sum."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    for key in ("teacher", "teacher_test", "distiller", "distiller_test",
                "student_predictions", "teacher_after", "scratch", "scratch_test"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
