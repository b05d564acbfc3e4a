import math

import numpy as np
import pytest
import torch
from ops_parity import F3, SPD, UNIT, F, assert_close, assert_like_keras

from hocsau import ops

IDS = np.array([0, 0, 2])


@pytest.mark.parametrize("name,reduce,empty", [("segment_sum", np.sum, 0.0),
                                               ("segment_prod", np.prod, 1.0),
                                               ("segment_max", np.max, -np.inf),
                                               ("segment_min", np.min, np.inf)])
def test_segment_reductions_match_numpy(name, reduce, empty):
    out = getattr(ops, name)(F, IDS)
    expected = np.stack([reduce(F[IDS == s], axis=0) if (IDS == s).any()
                         else np.full(4, empty, "float32") for s in range(3)])
    assert_close(out, expected, rtol=1e-6)
    assert_like_keras(getattr(ops, name)(F, IDS, num_segments=4), name, F, IDS, num_segments=4)


def test_segment_ids_out_of_range_are_dropped():
    out = ops.segment_sum(np.array([1.0, 2.0, 4.0]), np.array([0, -1, 5]), num_segments=2)
    assert out.tolist() == [1.0, 0.0]


def test_top_k_and_in_top_k():
    values, indices = ops.top_k(F, 2)
    assert_close(values, -np.sort(-F, axis=1)[:, :2])
    assert indices.dtype == torch.int32
    assert_close(np.take_along_axis(F, indices.numpy(), 1), values)
    targets = np.array([0, 3, 1])
    ranks = (F > F[np.arange(3), targets][:, None]).sum(1)
    assert ops.in_top_k(targets, F, 2).tolist() == (ranks < 2).tolist()


def test_logsumexp_cdist_extract_sequences():
    assert_close(ops.logsumexp(F3, axis=(0, 2)), np.log(np.exp(F3).sum((0, 2))), rtol=1e-5)
    assert_close(ops.logsumexp(F3, keepdims=True), np.log(np.exp(F3).sum(keepdims=True)),
                 rtol=1e-5)
    assert_close(ops.cdist(F, F[:2]), np.linalg.norm(F[:, None] - F[None, :2], axis=-1),
                 rtol=1e-5)
    with pytest.raises(ValueError, match="rank >= 2"):
        ops.cdist(F[0], F)
    frames = ops.extract_sequences(np.arange(7.0), 3, 2)
    assert frames.tolist() == [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 6.0]]


def test_fourier_transforms_match_numpy():
    z = F + 1j * F[::-1]
    for name, reference in [("fft", np.fft.fft), ("fft2", np.fft.fft2),
                            ("ifft2", np.fft.ifft2)]:
        real, imag = getattr(ops, name)((F, F[::-1].copy()))
        assert_close(real.numpy() + 1j * imag.numpy(), reference(z), rtol=1e-4, atol=1e-5)
    real, imag = ops.rfft(F, 6)
    assert_close(real.numpy() + 1j * imag.numpy(), np.fft.rfft(F, 6), rtol=1e-5, atol=1e-6)
    spectrum = np.fft.rfft(F)
    back = ops.irfft((spectrum.real.astype("float32"), spectrum.imag.astype("float32")))
    assert_close(back, F, atol=1e-6)
    with pytest.raises(ValueError, match="real and imaginary"):
        ops.fft(F)


def test_special_functions():
    assert_close(ops.erf(F), np.vectorize(math.erf)(F), atol=1e-6)
    assert_close(ops.erfc(F), np.vectorize(math.erfc)(F), atol=1e-6)
    assert_close(ops.erf(ops.erfinv(UNIT)), UNIT, atol=1e-5)
    assert_close(ops.rsqrt(np.array([4.0, 0.25])), [0.5, 2.0])
    assert ops.rsqrt(np.array([4], "int32")).dtype == torch.float32
    assert ops.logdet(SPD).item() == pytest.approx(np.linalg.slogdet(SPD)[1], rel=1e-5)


def test_complex_views():
    z = ops.view_as_complex(F3[..., :2])
    assert z.dtype == torch.complex64 and z.shape == (2, 3)
    assert_close(ops.view_as_real(z), F3[..., :2])
    with pytest.raises(ValueError, match="size 2"):
        ops.view_as_complex(F)
