"""audio_dataset_from_directory over generated .wav folders: PCM decoding checked by hand (8,
16, 24 and 32 bits, stereo), padding and cutting, resampling, labels, splits and errors; and
the loaders' aliases under `hocsau.preprocessing`."""

import wave

import numpy as np
import pytest
import torch

import hocsau
from hocsau.utils import audio_dataset_from_directory
from hocsau.utils.audio_dataset_utils import decode_wav


def _write(path, samples: np.ndarray, width: int = 2, rate: int = 8000) -> None:
    """`samples` (frames, channels) of integers written as PCM of `width` bytes."""
    samples = np.asarray(samples, dtype=np.int64).reshape(len(samples), -1)
    unsigned = samples % (1 << (8 * width))
    data = b"".join(int(v).to_bytes(width, "little") for v in unsigned.ravel())
    with wave.open(str(path), "wb") as f:
        f.setnchannels(samples.shape[1])
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(data)


@pytest.fixture
def folder(tmp_path):
    for label, name in enumerate(("dog", "cat")):
        (tmp_path / name).mkdir()
        for i in range(3):
            length = 4 + i + 3 * label
            _write(tmp_path / name / f"{i}.wav", np.full((length, 1), 1000 * (label + 1) + i))
    (tmp_path / "cat" / "notes.txt").write_text("not audio")
    return tmp_path


@pytest.mark.parametrize("width, values, expected", [
    (1, [[0], [128], [255]], [-1.0, 0.0, 127 / 128]),
    (2, [[-32768], [0], [16384], [32767]], [-1.0, 0.0, 0.5, 32767 / 32768]),
    (3, [[-(1 << 23)], [-1], [1 << 22]], [-1.0, -1 / (1 << 23), 0.5]),
    (4, [[-(1 << 31)], [1 << 30], [(1 << 31) - 1]], [-1.0, 0.5, 1 - 2.0 ** -31]),
])
def test_decode_wav_scales_pcm_as_tensorflow(tmp_path, width, values, expected):
    _write(tmp_path / "a.wav", values, width)
    audio, rate = decode_wav(tmp_path / "a.wav")
    assert rate == 8000 and audio.dtype == np.float32 and audio.shape == (len(values), 1)
    np.testing.assert_allclose(audio[:, 0], np.float32(expected), rtol=0, atol=0)


def test_decode_wav_keeps_channels_last_and_cuts_or_pads(tmp_path):
    _write(tmp_path / "stereo.wav", [[100, -100], [200, -200], [300, -300]])
    audio, _ = decode_wav(tmp_path / "stereo.wav")
    np.testing.assert_array_equal(audio * 32768, [[100, -100], [200, -200], [300, -300]])
    np.testing.assert_array_equal(decode_wav(tmp_path / "stereo.wav", 2)[0], audio[:2])
    padded = decode_wav(tmp_path / "stereo.wav", 5)[0]
    assert padded.shape == (5, 2) and not padded[3:].any()


def test_batches_are_padded_to_their_longest_file(folder, capsys):
    ds = audio_dataset_from_directory(folder, batch_size=4, shuffle=False)
    assert capsys.readouterr().out.strip() == "Found 6 files belonging to 2 classes."
    assert ds.class_names == ["cat", "dog"]
    (first, labels), (second, last_labels) = list(ds)
    # cat files have 7, 8, 9 samples, dog files 4, 5, 6: the first batch pads to 9.
    assert first.shape == (4, 9, 1) and second.shape == (2, 6, 1)
    # Dataset elements are tensors, as tf.data gives them.
    assert labels.tolist() == [0, 0, 0, 1] and last_labels.dtype == torch.int32
    np.testing.assert_array_equal(first[0, :7, 0] * 32768, [2000] * 7)
    assert not first[0, 7:].any() and not first[3, 4:].any()
    assert ds.file_paths[0].endswith("0.wav") and "cat" in ds.file_paths[0]


def test_output_sequence_length_label_modes_and_splits(folder):
    (audio, onehot), = list(audio_dataset_from_directory(
        folder, label_mode="categorical", output_sequence_length=5, seed=3, verbose=False))
    assert audio.shape == (6, 5, 1) and onehot.shape == (6, 2)
    for clip, row in zip(audio, onehot, strict=True):
        assert round(float(clip[0, 0]) * 32768) // 1000 == (1 if row[1] else 2)
    train, val = audio_dataset_from_directory(folder, label_mode="binary", seed=2,
                                              validation_split=0.5, subset="both",
                                              output_sequence_length=6, verbose=False)
    assert (len(train.file_paths), len(val.file_paths)) == (3, 3)
    assert list(val)[0][1].shape == (3, 1)
    unlabeled = list(audio_dataset_from_directory(folder, label_mode=None, batch_size=None,
                                                  shuffle=False, verbose=False))
    assert [clip.shape[0] for clip in unlabeled] == [7, 8, 9, 4, 5, 6]


def test_sampling_rate_resamples_each_file(tmp_path):
    (tmp_path / "a").mkdir()
    tone = np.round(8000 * np.sin(np.arange(80) * 2 * np.pi / 16))[:, None]
    _write(tmp_path / "a" / "tone.wav", tone, rate=8000)
    (audio,), = [batch for batch, _ in audio_dataset_from_directory(
        tmp_path, sampling_rate=4000, verbose=False)]
    assert audio.shape == (40, 1)
    expected = np.sin(np.arange(40) * 2 * np.pi / 8) * 8000 / 32768
    np.testing.assert_allclose(audio[8:32, 0], expected[8:32], atol=0.01)


@pytest.mark.parametrize("kwargs, message", [
    ({"sampling_rate": 8000.0}, "integer value. Received: sampling_rate=8000.0"),
    ({"sampling_rate": 0}, "higher than 0. Received: sampling_rate=0"),
    ({"ragged": True, "output_sequence_length": 5}, "Cannot set both `ragged`"),
    ({"ragged": True}, "Received: ragged=True"),
    ({"label_mode": "sparse"}, "Received: label_mode=sparse"),
    ({"validation_split": 0.2, "subset": "training"}, "must provide a `seed`"),
])
def test_errors_speak_keras(folder, kwargs, message):
    with pytest.raises(ValueError, match=message):
        audio_dataset_from_directory(folder, **kwargs)


def test_preprocessing_exposes_the_dataset_loaders():
    keras = pytest.importorskip("keras")
    for name in ("image_dataset_from_directory", "text_dataset_from_directory",
                 "timeseries_dataset_from_array"):
        assert hasattr(keras.preprocessing, name)
        assert getattr(hocsau.preprocessing, name) is getattr(hocsau.utils, name)
