"""keras.io example "Named Entity Recognition using Transformers" (keras-io
examples/nlp/ner_transformers.py, Keras 3 version), adapted to generated tagged sentences
instead of CoNLL 2003: the tab-separated export file read back line by line, the tag lookup
table, a StringLookup built from the most common tokens, a subclassed `NERModel` (a
`TokenAndPositionEmbedding`, a `TransformerBlock` whose `call` takes `training`, Dropout and
Dense layers) trained with the example's `CustomNonPaddingTokenLoss` (SparseCategoricalCrossentropy
with `reduction=None`, masked by `y_true > 0`), the sample prediction and the metrics loop.

`tf.data`'s `TextLineDataset(...).map(...).padded_batch(32)` becomes a `keras.utils.PyDataset`
padding each batch to its longest sentence; `tf.strings` becomes Python string methods.
Keras's StringLookup needs TensorFlow, so hocsau's turns tokens into ids for both runs."""

import os
from collections import Counter

import numpy as np
from guide_helpers import as_numpy, assert_nested_close, layer_weights, set_layer_weights

import hocsau

ENTITIES = {"PER": ["john", "mary", "angela"], "ORG": ["eu", "nasa", "fifa"],
            "LOC": ["paris", "berlin", "britain"], "MISC": ["german", "british", "french"]}
OTHER = ["rejects", "call", "to", "boycott", "lamb", "the", "visits", "says", "in"]


def make_tag_lookup_table():
    iob_labels = ["B", "I"]
    ner_labels = ["PER", "ORG", "LOC", "MISC"]
    all_labels = [(label1, label2) for label2 in ner_labels for label1 in iob_labels]
    all_labels = ["-".join([a, b]) for a, b in all_labels]
    all_labels = ["[PAD]", "O"] + all_labels
    return dict(zip(range(0, len(all_labels) + 1), all_labels, strict=False))


def conll_records(n, seed):
    """Records like the datasets library's: capitalised tokens and CoNLL tag ids (O=0,
    B-PER=1, ... as in the file; the example adds 1 to make room for padding)."""
    rng = np.random.default_rng(seed)
    kinds = ["PER", "ORG", "LOC", "MISC"]
    records = []
    for _ in range(n):
        tokens, tags = [], []
        for _ in range(rng.integers(3, 9)):
            if rng.random() < 0.4:
                kind = rng.integers(len(kinds))
                tokens.append(str(rng.choice(ENTITIES[kinds[kind]])).capitalize())
                tags.append(1 + 2 * int(kind))
            else:
                tokens.append(str(rng.choice(OTHER)))
                tags.append(0)
        records.append({"tokens": tokens, "ner_tags": tags})
    return records


def export_to_file(export_file_path, data):
    with open(export_file_path, "w") as f:
        for record in data:
            ner_tags = record["ner_tags"]
            tokens = record["tokens"]
            f.write(str(len(tokens)) + "\t" + "\t".join(tokens) + "\t"
                    + "\t".join(map(str, ner_tags)) + "\n")


def map_func(record):
    record = record.rstrip("\n").split("\t")
    length = int(record[0])
    tokens = [token.lower() for token in record[1:length + 1]]
    tags = np.array(record[length + 1:], dtype="int64") + 1
    return tokens, tags


def define(keras):
    layers, ops = keras.layers, keras.ops

    class TransformerBlock(layers.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
            super().__init__()
            self.att = keras.layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.ffn = keras.Sequential([keras.layers.Dense(ff_dim, activation="relu"),
                                         keras.layers.Dense(embed_dim)])
            self.layernorm1 = keras.layers.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = keras.layers.LayerNormalization(epsilon=1e-6)
            self.dropout1 = keras.layers.Dropout(rate)
            self.dropout2 = keras.layers.Dropout(rate)

        def call(self, inputs, training=False):
            attn_output = self.att(inputs, inputs)
            attn_output = self.dropout1(attn_output, training=training)
            out1 = self.layernorm1(inputs + attn_output)
            ffn_output = self.ffn(out1)
            ffn_output = self.dropout2(ffn_output, training=training)
            return self.layernorm2(out1 + ffn_output)

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim):
            super().__init__()
            self.token_emb = keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = keras.layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, inputs):
            maxlen = ops.shape(inputs)[-1]
            positions = ops.arange(start=0, stop=maxlen, step=1)
            position_embeddings = self.pos_emb(positions)
            token_embeddings = self.token_emb(inputs)
            return token_embeddings + position_embeddings

    class NERModel(keras.Model):
        def __init__(self, num_tags, vocab_size, maxlen=128, embed_dim=32, num_heads=2,
                     ff_dim=32):
            super().__init__()
            self.embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
            self.transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
            self.dropout1 = layers.Dropout(0.1)
            self.ff = layers.Dense(ff_dim, activation="relu")
            self.dropout2 = layers.Dropout(0.1)
            self.ff_final = layers.Dense(num_tags, activation="softmax")

        def call(self, inputs, training=False):
            x = self.embedding_layer(inputs)
            x = self.transformer_block(x)
            x = self.dropout1(x, training=training)
            x = self.ff(x)
            x = self.dropout2(x, training=training)
            x = self.ff_final(x)
            return x

    class CustomNonPaddingTokenLoss(keras.losses.Loss):
        def __init__(self, name="custom_ner_loss"):
            super().__init__(name=name)

        def call(self, y_true, y_pred):
            loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=False,
                                                                 reduction=None)
            loss = loss_fn(y_true, y_pred)
            mask = ops.cast((y_true > 0), dtype="float32")
            loss = loss * mask
            return ops.sum(loss) / ops.sum(mask)

    return NERModel, CustomNonPaddingTokenLoss


def padded_dataset(keras, path, lookup_layer, batch_size):
    with open(path) as f:
        examples = [map_func(line) for line in f]

    class PaddedBatches(keras.utils.PyDataset):
        def __len__(self):
            return -(-len(examples) // batch_size)

        def __getitem__(self, index):
            batch = examples[index * batch_size:(index + 1) * batch_size]
            width = max(len(tokens) for tokens, _ in batch)
            x = np.zeros((len(batch), width), dtype="int64")
            y = np.zeros((len(batch), width), dtype="int64")
            for i, (tokens, tags) in enumerate(batch):
                x[i, :len(tokens)] = as_numpy(lookup_layer(tokens))
                y[i, :len(tags)] = tags
            return x, y

    return PaddedBatches()


def prepare(directory):
    train, val = conll_records(48, 0), conll_records(16, 1)
    export_to_file(os.path.join(directory, "conll_train.txt"), train)
    export_to_file(os.path.join(directory, "conll_val.txt"), val)
    all_tokens = sum([record["tokens"] for record in train], [])
    all_tokens_array = np.array(list(map(str.lower, all_tokens)))
    counter = Counter(all_tokens_array)
    vocab_size = 30
    vocabulary = [token for token, count in counter.most_common(vocab_size - 2)]
    lookup_layer = hocsau.layers.StringLookup(vocabulary=vocabulary)
    return lookup_layer, vocab_size


def calculate_metrics(ner_model, dataset, mapping):
    all_true_tag_ids, all_predicted_tag_ids = [], []
    for i in range(len(dataset)):
        x, y = dataset[i]
        output = ner_model.predict(x, verbose=0)
        predictions = np.argmax(output, axis=-1)
        predictions = np.reshape(predictions, [-1])
        true_tag_ids = np.reshape(y, [-1])
        mask = (true_tag_ids > 0) & (predictions > 0)
        all_true_tag_ids.append(true_tag_ids[mask])
        all_predicted_tag_ids.append(predictions[mask])
    all_true_tag_ids = np.concatenate(all_true_tag_ids)
    all_predicted_tag_ids = np.concatenate(all_predicted_tag_ids)
    predicted_tags = [mapping[tag] for tag in all_predicted_tag_ids]
    real_tags = [mapping[tag] for tag in all_true_tag_ids]
    return predicted_tags, real_tags


def program(keras, directory, weights=None):
    mapping = make_tag_lookup_table()
    num_tags = len(mapping)
    lookup_layer, vocab_size = prepare(directory)
    batch_size = 16
    train_dataset = padded_dataset(keras, os.path.join(directory, "conll_train.txt"),
                                   lookup_layer, batch_size)
    val_dataset = padded_dataset(keras, os.path.join(directory, "conll_val.txt"),
                                 lookup_layer, batch_size)
    keras.utils.set_random_seed(0)
    NERModel, CustomNonPaddingTokenLoss = define(keras)
    ner_model = NERModel(num_tags, vocab_size, maxlen=16, embed_dim=16, num_heads=2, ff_dim=16)
    sample_input = as_numpy(lookup_layer(
        "eu rejects german call to boycott british lamb".lower().split()))
    sample_input = np.reshape(sample_input, [1, -1])
    ner_model.predict(sample_input, verbose=0)  # builds the weights
    if weights is not None:
        set_layer_weights(ner_model, weights)
    initial = layer_weights(ner_model)
    loss = CustomNonPaddingTokenLoss()
    ner_model.compile(optimizer="adam", loss=loss)
    x, y = val_dataset[0]
    before = {"output": ner_model.predict(sample_input, verbose=0),
              "loss": ner_model.evaluate(x, y, verbose=0)}
    history = ner_model.fit(train_dataset, epochs=4, verbose=0)
    output = ner_model.predict(sample_input, verbose=0)
    predicted_tags, real_tags = calculate_metrics(ner_model, val_dataset, mapping)
    return {"initial": initial, "before": before, "history": history.history,
            "sample_tags": np.argmax(output, axis=-1), "mapping": mapping,
            "tags": (predicted_tags, real_tags), "batch": (x, y)}


def check(result):
    assert result["mapping"][0] == "[PAD]" and result["mapping"][2] == "B-PER"
    assert len(result["mapping"]) == 10
    x, y = result["batch"]
    assert x.shape == y.shape and ((x == 0) == (y == 0)).all()
    assert result["before"]["output"].shape == (1, 8, 10)
    loss = result["history"]["loss"]
    assert loss[-1] < loss[0]
    assert result["sample_tags"].shape == (1, 8)
    predicted_tags, real_tags = result["tags"]
    assert len(predicted_tags) == len(real_tags) and "[PAD]" not in real_tags


def test_custom_loss_ignores_padding(real_keras):
    for keras in (real_keras, hocsau):
        _, CustomNonPaddingTokenLoss = define(keras)
        y_true = np.array([[2, 1, 0, 0]])
        y_pred = np.full((1, 4, 3), 0.1, "float32")
        y_pred[0, 0, 2] = y_pred[0, 1, 1] = 0.8
        y_pred[0, 2:] = [0.98, 0.01, 0.01]  # confident padding predictions count for nothing
        value = keras.ops.convert_to_numpy(CustomNonPaddingTokenLoss()(y_true, y_pred))
        np.testing.assert_allclose(value, -np.log(0.8), rtol=1e-6)


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_same_weights_same_outputs_as_keras(real_keras, tmp_path):
    theirs = program(real_keras, str(tmp_path))
    ours = program(hocsau, str(tmp_path), weights=theirs["initial"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)
