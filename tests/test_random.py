import numpy as np
import pytest
import torch

from hocsau import _trace_state, random

SHAPE = (4000,)


def _keras_random():
    import keras

    return keras.random


@pytest.mark.parametrize("name,args", [
    ("normal", ((3, 4),)), ("uniform", ((3, 4),)), ("truncated_normal", ((3, 4),)),
    ("randint", ((3, 4), 0, 10)), ("gamma", ((5,), 2.0)), ("binomial", ((5,), 10, 0.3)),
    ("beta", ((5,), 2.0, 3.0)),
])
def test_int_seed_repeats_and_equals_keras(name, args):
    first = getattr(random, name)(*args, seed=42)
    assert torch.equal(first, getattr(random, name)(*args, seed=42))
    assert not torch.equal(first, getattr(random, name)(*args, seed=43))
    expected = getattr(_keras_random(), name)(*args, seed=42)
    np.testing.assert_allclose(first.numpy(), expected.numpy(), rtol=1e-6)


def test_seed_generator_advances_like_keras():
    ours, theirs = random.SeedGenerator(7), _keras_random().SeedGenerator(7)
    draws = [random.normal((3,), seed=ours) for _ in range(3)]
    assert not torch.equal(draws[0], draws[1])
    for draw in draws:
        np.testing.assert_allclose(draw.numpy(), _keras_random().normal((3,), seed=theirs).numpy())
    replay = random.SeedGenerator(7)
    assert torch.equal(random.normal((3,), seed=replay), draws[0])
    assert ours.state.tolist() == [7, 3]


@pytest.mark.parametrize("name,args", [
    ("normal", ((3, 4),)), ("uniform", ((3, 4),)), ("truncated_normal", ((3, 4),)),
    ("randint", ((3, 4), 0, 10)), ("gamma", ((5,), 2.0)), ("binomial", ((5,), 10, 0.3)),
    ("beta", ((5,), 2.0, 3.0)),
])
def test_draws_while_tracing_on_meta_make_meta_tensors_and_hold_the_seed(name, args):
    generator = random.SeedGenerator(5)
    with _trace_state.tracing(), torch.device("meta"):
        traced = getattr(random, name)(*args, seed=generator)
    real = getattr(random, name)(*args, seed=random.SeedGenerator(5))
    assert traced.is_meta and traced.shape == real.shape and traced.dtype == real.dtype
    assert generator.state.tolist() == [5, 0]  # a trace draws no seed
    assert torch.equal(getattr(random, name)(*args, seed=generator), real)


def test_seed_generator_config_and_errors():
    generator = random.SeedGenerator(3, name="gen")
    assert generator.get_config() == {"seed": 3, "name": "gen"}
    clone = random.SeedGenerator.from_config(generator.get_config())
    assert torch.equal(random.uniform((2,), seed=clone), random.uniform((2,), seed=generator))
    assert random.SeedGenerator().get_config()["seed"] is None
    with pytest.raises(ValueError, match="must be an integer"):
        random.SeedGenerator("abc")
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        random.SeedGenerator(1, colour="red")
    with pytest.raises(ValueError, match="SeedGenerator"):
        random.normal((2,), seed=1.5)
    ordered_not = random.SeedGenerator(1)
    ordered_not.next(ordered=False)
    assert ordered_not.state.tolist() == [(1 + 1) * 5387 % 933199, 5387 % 933199]


def test_unseeded_draws_follow_torch_global_seed():
    torch.manual_seed(5)
    first = random.normal((4,))
    torch.manual_seed(5)
    assert torch.equal(first, random.normal((4,)))
    random.set_global_seed(11)
    again = random.uniform((3,))
    random.set_global_seed(11)
    assert torch.equal(again, random.uniform((3,)))
    assert random.global_seed_generator().get_config()["seed"] == 11
    with pytest.raises(ValueError, match="integer"):
        random.set_global_seed(1.0)


def test_seeded_draws_do_not_disturb_the_global_stream():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    random.gamma((3,), 1.0, seed=9)
    random.normal((3,), seed=9)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("name,args,mean,std", [
    ("normal", (SHAPE, 2.0, 3.0), 2.0, 3.0),
    ("uniform", (SHAPE, -1.0, 3.0), 1.0, 4 / np.sqrt(12)),
    ("truncated_normal", (SHAPE, 0.0, 1.0), 0.0, 0.8796),
    ("gamma", (SHAPE, 4.0), 4.0, 2.0),
    ("binomial", (SHAPE, 20, 0.25), 5.0, np.sqrt(20 * 0.25 * 0.75)),
    ("beta", (SHAPE, 2.0, 6.0), 0.25, np.sqrt(12 / (64 * 9))),
])
def test_distribution_statistics(name, args, mean, std):
    values = getattr(random, name)(*args, seed=1).numpy()
    assert values.shape == SHAPE and values.dtype == np.float32
    assert abs(values.mean() - mean) < 4 * std / np.sqrt(SHAPE[0])
    assert abs(values.std() - std) < 0.06 * std


def test_bounds_and_dtypes():
    assert random.truncated_normal((1000,), 1.0, 0.5, seed=2).sub(1.0).abs().max() < 1.0
    ints = random.randint((1000,), -3, 4, seed=3)
    assert ints.dtype == torch.int32 and set(ints.tolist()) == set(range(-3, 4))
    assert random.uniform((), seed=1).shape == ()
    assert random.normal((2,), dtype="float64").dtype == torch.float64
    with pytest.raises(ValueError, match="floating point"):
        random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer"):
        random.randint((2,), 0, 3, dtype="float32")


def test_categorical_frequencies_and_keras_parity():
    logits = np.log(np.array([[0.1, 0.6, 0.3], [0.8, 0.1, 0.1]], "float32"))
    samples = random.categorical(logits, 3000, seed=4)
    assert samples.shape == (2, 3000) and samples.dtype == torch.int32
    frequencies = np.stack([np.bincount(row, minlength=3) / 3000 for row in samples.numpy()])
    np.testing.assert_allclose(frequencies, np.exp(logits), atol=0.03)
    assert torch.equal(random.categorical(logits, 5, seed=4),
                       _keras_random().categorical(logits, 5, seed=4))
    with pytest.raises(ValueError, match="2-D"):
        random.categorical(logits[0], 2)


def test_dropout():
    x = torch.ones(2000)
    out = random.dropout(x, 0.25, seed=1)
    kept = out != 0
    assert abs(kept.float().mean().item() - 0.75) < 0.04
    assert torch.allclose(out[kept], torch.full_like(out[kept], 1 / 0.75))
    assert torch.equal(out, _keras_random().dropout(x, 0.25, seed=1))
    grid = random.dropout(torch.ones(50, 4), 0.5, noise_shape=(None, 1), seed=2)
    assert all(len(set(row.tolist())) == 1 for row in grid)
    assert random.dropout(x, 1.0).sum().item() == 0 and random.dropout(x, 0.0) is x
    assert random.dropout(x, 0.5).shape == x.shape


def test_shuffle_permutes_slices():
    x = torch.arange(12).reshape(6, 2)
    out = random.shuffle(x, seed=3)
    assert sorted(out[:, 0].tolist()) == [0, 2, 4, 6, 8, 10]
    assert (out[:, 1] - out[:, 0]).tolist() == [1] * 6
    assert torch.equal(out, _keras_random().shuffle(x, seed=3))
    columns = random.shuffle(x, axis=1, seed=5)
    assert sorted(columns[0].tolist()) == [0, 1] and columns.shape == (6, 2)
