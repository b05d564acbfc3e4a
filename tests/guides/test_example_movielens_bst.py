"""keras.io example "A Transformer-based recommendation system" (keras-io
examples/structured_data/movielens_recommendations_transformers.py, its Keras 3 ops), adapted to
a small generated ratings table in dicts of numpy string/float arrays instead of the
MovieLens CSV files and tf.data: string Inputs of shapes (1,) and (sequence_length - 1,),
StringLookup + Embedding per user feature, a movie embedding, a frozen genres Embedding with
a Constant initializer of a numpy matrix, a position embedding of `ops.arange` added to the
symbolic movie encodings (a graph constant), Multiply by `ops.expand_dims(ratings, -1)`,
`ops.unstack` along the sequence, a MultiHeadAttention block, Reshape and BatchNormalization
MLP, compiled with Adagrad/MSE/MAE and fit with steps_per_epoch, then evaluated.

StringLookup needs TensorFlow in Keras, so this runs on hocsau only."""

import math

import numpy as np

import hocsau as keras
from hocsau import layers, ops
from hocsau.layers import StringLookup

sequence_length = 4
USER_FEATURES = ["sex", "age_group", "occupation"]
MOVIES = [f"movie_{i}" for i in range(16)]
CATEGORICAL_FEATURES_WITH_VOCABULARY = {
    "user_id": [f"user_{i}" for i in range(9)],
    "movie_id": MOVIES,
    "sex": ["M", "F"],
    "age_group": ["1", "18", "25", "35"],
    "occupation": [str(i) for i in range(5)],
}
GENRE_VECTORS = (np.arange(16 * 5).reshape(16, 5) % 3 == 0).astype("float32")
hidden_units = [16, 8]
dropout_rate = 0.1
num_heads = 3


def create_model_inputs():
    return {
        "user_id": layers.Input(name="user_id", shape=(1,), dtype="string"),
        "sequence_movie_ids": layers.Input(name="sequence_movie_ids",
                                           shape=(sequence_length - 1,), dtype="string"),
        "target_movie_id": layers.Input(name="target_movie_id", shape=(1,), dtype="string"),
        "sequence_ratings": layers.Input(name="sequence_ratings",
                                         shape=(sequence_length - 1,), dtype="float32"),
        "sex": layers.Input(name="sex", shape=(1,), dtype="string"),
        "age_group": layers.Input(name="age_group", shape=(1,), dtype="string"),
        "occupation": layers.Input(name="occupation", shape=(1,), dtype="string"),
    }


def encode_input_features(inputs, include_user_id=True, include_user_features=True,
                          include_movie_features=True):
    encoded_transformer_features = []
    encoded_other_features = []
    other_feature_names = []
    if include_user_id:
        other_feature_names.append("user_id")
    if include_user_features:
        other_feature_names.extend(USER_FEATURES)
    for feature_name in other_feature_names:
        feature = inputs[feature_name]
        vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY[feature_name]
        idx = StringLookup(vocabulary=vocabulary, mask_token=None, num_oov_indices=0)(feature)
        embedding_dims = int(math.sqrt(len(vocabulary)))
        embedding_encoder = layers.Embedding(input_dim=len(vocabulary),
                                             output_dim=embedding_dims,
                                             name=f"{feature_name}_embedding")
        encoded_other_features.append(embedding_encoder(idx))
    if len(encoded_other_features) > 1:
        encoded_other_features = layers.concatenate(encoded_other_features)
    elif len(encoded_other_features) == 1:
        encoded_other_features = encoded_other_features[0]
    else:
        encoded_other_features = None

    movie_vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY["movie_id"]
    movie_embedding_dims = int(math.sqrt(len(movie_vocabulary)))
    movie_index_lookup = StringLookup(vocabulary=movie_vocabulary, mask_token=None,
                                      num_oov_indices=0, name="movie_index_lookup")
    movie_embedding_encoder = layers.Embedding(input_dim=len(movie_vocabulary),
                                               output_dim=movie_embedding_dims,
                                               name="movie_embedding")
    genre_vectors = GENRE_VECTORS
    movie_genres_lookup = layers.Embedding(
        input_dim=genre_vectors.shape[0], output_dim=genre_vectors.shape[1],
        embeddings_initializer=keras.initializers.Constant(genre_vectors), trainable=False,
        name="genres_vector")
    movie_embedding_processor = layers.Dense(units=movie_embedding_dims, activation="relu",
                                             name="process_movie_embedding_with_genres")

    def _encode_movie(movie_id):
        movie_idx = movie_index_lookup(movie_id)
        movie_embedding = movie_embedding_encoder(movie_idx)
        encoded_movie = movie_embedding
        if include_movie_features:
            movie_genres_vector = movie_genres_lookup(movie_idx)
            encoded_movie = movie_embedding_processor(
                layers.concatenate([movie_embedding, movie_genres_vector]))
        return encoded_movie

    encoded_target_movie = _encode_movie(inputs["target_movie_id"])
    encoded_sequence_movies = _encode_movie(inputs["sequence_movie_ids"])
    position_embedding_encoder = layers.Embedding(input_dim=sequence_length,
                                                  output_dim=movie_embedding_dims,
                                                  name="position_embedding")
    positions = ops.arange(start=0, stop=sequence_length - 1, step=1)
    encodded_positions = position_embedding_encoder(positions)
    sequence_ratings = ops.expand_dims(inputs["sequence_ratings"], -1)
    encoded_sequence_movies_with_poistion_and_rating = layers.Multiply()(
        [(encoded_sequence_movies + encodded_positions), sequence_ratings])
    for i in range(sequence_length - 1):
        feature = ops.unstack(encoded_sequence_movies_with_poistion_and_rating, axis=1)[i]
        encoded_transformer_features.append(ops.expand_dims(feature, 1))
    encoded_transformer_features.append(encoded_target_movie)
    encoded_transformer_features = layers.concatenate(encoded_transformer_features, axis=1)
    return encoded_transformer_features, encoded_other_features


def create_model(include_user_id, include_user_features, include_movie_features):
    inputs = create_model_inputs()
    transformer_features, other_features = encode_input_features(
        inputs, include_user_id, include_user_features, include_movie_features)
    attention_output = layers.MultiHeadAttention(
        num_heads=num_heads, key_dim=transformer_features.shape[2], dropout=dropout_rate,
    )(transformer_features, transformer_features)
    attention_output = layers.Dropout(dropout_rate)(attention_output)
    x1 = layers.Add()([transformer_features, attention_output])
    x1 = layers.LayerNormalization()(x1)
    x2 = layers.LeakyReLU()(x1)
    x2 = layers.Dense(units=x2.shape[-1])(x2)
    x2 = layers.Dropout(dropout_rate)(x2)
    transformer_features = layers.Add()([x1, x2])
    transformer_features = layers.LayerNormalization()(transformer_features)
    features = layers.Flatten()(transformer_features)
    if other_features is not None:
        features = layers.concatenate(
            [features, layers.Reshape([other_features.shape[-1]])(other_features)])
    for num_units in hidden_units:
        features = layers.Dense(num_units)(features)
        features = layers.BatchNormalization()(features)
        features = layers.LeakyReLU()(features)
        features = layers.Dropout(dropout_rate)(features)
    outputs = layers.Dense(units=1)(features)
    return keras.Model(inputs=inputs, outputs=outputs)


def ratings(rows, seed):
    rng = np.random.default_rng(seed)

    def pick(name, width):
        vocabulary = np.asarray(CATEGORICAL_FEATURES_WITH_VOCABULARY[name])
        return vocabulary[rng.integers(0, len(vocabulary), (rows, width))]

    movies = pick("movie_id", sequence_length)
    stars = rng.integers(1, 6, (rows, sequence_length)).astype("float32")
    features = {"user_id": pick("user_id", 1), "sequence_movie_ids": movies[:, :-1],
                "target_movie_id": movies[:, -1:], "sequence_ratings": stars[:, :-1],
                **{name: pick(name, 1) for name in USER_FEATURES}}
    return features, stars[:, -1]


def test_behaviour_sequence_transformer():
    keras.utils.set_random_seed(0)
    train, test = ratings(96, 0), ratings(32, 1)
    for flags in ((False, False, False), (True, True, True)):
        model = create_model(*flags)
        names = [layer.name for layer in model.layers]
        # The position embedding ran while the model was built: its result is a constant of
        # the graph, as under TensorFlow, and the layer is not one of the model's.
        assert "position_embedding" not in names
        assert ("genres_vector" in names) == flags[2]
        assert ("user_id_embedding" in names) == flags[0]
        model.compile(optimizer=keras.optimizers.Adagrad(learning_rate=0.01),
                      loss=keras.losses.MeanSquaredError(),
                      metrics=[keras.metrics.MeanAbsoluteError()])
        history = model.fit(*train, batch_size=16, epochs=2, steps_per_epoch=96 // 16,
                            verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
        _, mae = model.evaluate(*test, verbose=0)
        assert np.isfinite(mae)
        assert model.predict(test[0], verbose=0).shape == (32, 1)
    genres = model.get_layer("genres_vector")
    assert not genres.trainable_weights
    np.testing.assert_array_equal(genres.get_weights()[0], GENRE_VECTORS)
