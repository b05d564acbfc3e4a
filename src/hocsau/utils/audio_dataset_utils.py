"""`audio_dataset_from_directory`: a class-per-subfolder folder of .wav files as a `Dataset`."""

from __future__ import annotations

import functools
import math
import wave

import numpy as np

from hocsau.utils import _directory_index

_FORMATS = (".wav",)


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False, verbose=True):
    """A `hocsau.data.Dataset` of `(audio, labels)` batches from `directory/<class>/<x>.wav`,
    as Keras's (TensorFlow) loader gives them.

    Audio is float32 of shape `(batch, samples, channels)` with values in [-1, 1), decoded as
    `tf.audio.decode_wav` does (PCM of 8, 16, 24 or 32 bits), in the map's worker threads.
    Each file is cut or zero-padded to `output_sequence_length` samples; without it, each
    batch is zero-padded to its longest file. `sampling_rate` resamples every file to that
    rate (after the cut, as Keras does) with a polyphase filter (`scipy.signal.resample_poly`;
    Keras needs tensorflow-io, whose filter differs). Labels, `class_names`, `file_paths`,
    shuffling and `validation_split` / `subset` are as in `image_dataset_from_directory`.
    `ragged=True` (tf.RaggedTensor batches) has no hocsau equivalent: pass `batch_size=None`
    to keep each file's own length.
    """
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if ragged:
        raise ValueError("`ragged=True` gives tf.RaggedTensor batches, which hocsau (PyTorch) "
                         "has no equivalent of: use ragged=False for zero-padded batches or "
                         "batch_size=None for one file per element. Received: ragged=True")
    _check_sampling_rate(sampling_rate)
    read = functools.partial(_read, sampling_rate=sampling_rate,
                             output_sequence_length=output_sequence_length)
    return _directory_index.load_directory(
        _directory_index.files_dataset, directory, labels=labels, label_mode=label_mode,
        formats=_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        validation_split=validation_split, subset=subset, follow_links=follow_links,
        verbose=verbose, batch_size=batch_size, read=read,
        padded=output_sequence_length is None)


def _check_sampling_rate(sampling_rate) -> None:
    if sampling_rate is None:
        return
    if not isinstance(sampling_rate, int) or isinstance(sampling_rate, bool):
        raise ValueError("`sampling_rate` should have an integer value. "
                         f"Received: sampling_rate={sampling_rate}")
    if sampling_rate <= 0:
        raise ValueError("`sampling_rate` should be higher than 0. "
                         f"Received: sampling_rate={sampling_rate}")


def _read(path, sampling_rate=None, output_sequence_length=None) -> np.ndarray:
    audio, rate = decode_wav(path, output_sequence_length)
    if sampling_rate is None or sampling_rate == rate:
        return audio
    from scipy.signal import resample_poly

    common = math.gcd(sampling_rate, rate)
    return resample_poly(audio, sampling_rate // common, rate // common, axis=0).astype("float32")


def decode_wav(path, desired_samples=None) -> tuple[np.ndarray, int]:
    """(float32 samples of shape (samples, channels), sample rate) of a PCM .wav file, scaled
    as `tf.audio.decode_wav` scales them (16 bits: int16 / 32768; 8 bits are unsigned), cut
    or zero-padded to `desired_samples` when given."""
    with wave.open(str(path), "rb") as f:
        width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
        frames = f.readframes(f.getnframes())
    raw = np.frombuffer(frames, dtype=np.uint8).reshape(-1, width)
    if width == 1:
        values = raw[:, 0].astype(np.float32) - 128.0
    else:  # little-endian signed integers, sign-extended from their top byte
        values = np.zeros(len(raw), dtype=np.int64)
        for index in range(width):
            values |= raw[:, index].astype(np.int64) << (8 * index)
        values -= (values >> (8 * width - 1)) << (8 * width)
    audio = (values / float(1 << (8 * width - 1))).astype(np.float32).reshape(-1, channels)
    if desired_samples is not None:
        audio = audio[:desired_samples]
        audio = np.pad(audio, [(0, desired_samples - len(audio)), (0, 0)])
    return audio, rate
