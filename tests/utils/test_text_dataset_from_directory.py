"""text_dataset_from_directory over generated .txt folders: Keras's class order, labels, splits."""

import pytest
import torch

from hocsau import layers
from hocsau.utils import text_dataset_from_directory


@pytest.fixture
def folder(tmp_path):
    for name, words in (("pos", "good great fine"), ("neg", "bad awful poor")):
        (tmp_path / name).mkdir()
        for i in range(4):
            (tmp_path / name / f"{i}.txt").write_text(f"{words} {i}", encoding="utf-8")
    (tmp_path / "pos" / "skip.md").write_text("not a text file")
    return tmp_path


def test_texts_labels_classes_and_max_length(folder, capsys):
    ds = text_dataset_from_directory(folder, batch_size=3, shuffle=False, max_length=8)
    assert capsys.readouterr().out.strip() == "Found 8 files belonging to 2 classes."
    assert ds.class_names == ["neg", "pos"]
    batches = list(ds)
    assert [len(texts) for texts, _ in batches] == [3, 3, 2]
    texts = [t.numpy() for batch, _ in batches for t in batch]  # tf's strings: bytes
    labels = torch.cat([labels for _, labels in batches])
    assert texts[0] == b"bad awfu" and labels.tolist() == [0] * 4 + [1] * 4
    assert labels.dtype == torch.int32


def test_label_modes_split_and_adapt(folder):
    (texts, onehot), = list(text_dataset_from_directory(folder, label_mode="categorical",
                                                        seed=1, verbose=False))
    assert onehot.shape == (8, 2) and sorted(onehot.argmax(1).tolist()) == [0] * 4 + [1] * 4
    for text, row in zip(texts.numpy(), onehot, strict=True):
        assert text.startswith(b"good") == bool(row[1])
    train, val = text_dataset_from_directory(folder, label_mode="binary", seed=2,
                                             validation_split=0.25, subset="both",
                                             verbose=False)
    assert (len(train.file_paths), len(val.file_paths)) == (6, 2)
    assert list(train)[0][1].shape[1:] == (1,)
    vectorizer = layers.TextVectorization()
    vectorizer.adapt(texts)
    assert "good" in vectorizer.get_vocabulary()


def test_errors(folder):
    with pytest.raises(ValueError, match="label_mode=sparse"):
        text_dataset_from_directory(folder, label_mode="sparse")
    with pytest.raises(ValueError, match="must provide a `seed`"):
        text_dataset_from_directory(folder, validation_split=0.5, subset="training")


def test_dataset_chains_and_fits_through_text_vectorization(folder):
    import hocsau

    ds = text_dataset_from_directory(folder, batch_size=3, seed=4, verbose=False)
    assert isinstance(ds, hocsau.data.Dataset) and ds.cardinality() == 3
    names = sorted(p.split("/")[-1] for p in ds.file_paths)
    assert names == [f"{i}.txt" for i in (0, 0, 1, 1, 2, 2, 3, 3)]
    vectorizer = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorizer.adapt(ds.map(lambda texts, labels: texts))
    assert {"good", "bad"} <= set(vectorizer.get_vocabulary())
    vectors = ds.map(lambda texts, labels: (vectorizer(texts), labels)).cache()
    x, y = next(iter(vectors.take(1)))
    assert tuple(x.shape) == (3, 4) and y.dtype == torch.int32
    model = hocsau.Sequential([hocsau.Input((4,), dtype="int64"), layers.Embedding(20, 4),
                               layers.GlobalAveragePooling1D(), layers.Dense(2)])
    model.compile(optimizer="adam", loss=hocsau.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    assert len(model.fit(vectors, epochs=2, verbose=0).history["loss"]) == 2
    assert model.predict(vectors, verbose=0).shape == (8, 2)
    rows = list(text_dataset_from_directory(folder, shuffle=False, verbose=False).unbatch())
    assert [t.numpy() for t, _ in rows[:2]] == [b"bad awful poor 0", b"bad awful poor 1"]
