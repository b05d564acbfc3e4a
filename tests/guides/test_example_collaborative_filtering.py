"""keras.io example "Collaborative Filtering for Movie Recommendations" (keras-io
examples/structured_data/collaborative_filtering_movielens.py, Keras 3 version), adapted to a
generated ratings frame instead of the MovieLens download: the pandas encoding of user and
movie ids, the subclassed `RecommenderNet` (Embedding layers with "he_normal" and an l2
`embeddings_regularizer`, bias embeddings, `ops.tensordot(user_vector, movie_vector, 2)` and
`ops.nn.sigmoid`) trained on normalised ratings with validation data, and the top-10
recommendations for one user from `model.predict(...).flatten()`."""

import numpy as np
import pandas as pd
from guide_helpers import assert_nested_close

import hocsau

EMBEDDING_SIZE = 8


def ratings_frame():
    rng = np.random.default_rng(0)
    users, movies = rng.integers(1, 30, 400) * 7, rng.integers(1, 40, 400) * 11
    rating = np.clip(np.round(2 * (2.5 + np.sin(users) + np.cos(movies))) / 2, 0.5, 5.0)
    return pd.DataFrame({"userId": users, "movieId": movies, "rating": rating})


def prepare():
    df = ratings_frame()
    user_ids = df["userId"].unique().tolist()
    user2user_encoded = {x: i for i, x in enumerate(user_ids)}
    movie_ids = df["movieId"].unique().tolist()
    movie2movie_encoded = {x: i for i, x in enumerate(movie_ids)}
    movie_encoded2movie = {i: x for i, x in enumerate(movie_ids)}
    df["user"] = df["userId"].map(user2user_encoded)
    df["movie"] = df["movieId"].map(movie2movie_encoded)
    num_users = len(user2user_encoded)
    num_movies = len(movie_encoded2movie)
    df["rating"] = df["rating"].values.astype(np.float32)
    min_rating = min(df["rating"])
    max_rating = max(df["rating"])
    df = df.sample(frac=1, random_state=42)
    x = df[["user", "movie"]].values
    y = df["rating"].apply(lambda x: (x - min_rating) / (max_rating - min_rating)).values
    train_indices = int(0.9 * df.shape[0])
    return (df, x[:train_indices], x[train_indices:], y[:train_indices], y[train_indices:],
            num_users, num_movies, user2user_encoded, movie2movie_encoded, movie_encoded2movie)


def define_model(keras):
    layers, ops = keras.layers, keras.ops

    class RecommenderNet(keras.Model):
        def __init__(self, num_users, num_movies, embedding_size, **kwargs):
            super().__init__(**kwargs)
            self.num_users = num_users
            self.num_movies = num_movies
            self.embedding_size = embedding_size
            self.user_embedding = layers.Embedding(
                num_users, embedding_size, embeddings_initializer="he_normal",
                embeddings_regularizer=keras.regularizers.l2(1e-6))
            self.user_bias = layers.Embedding(num_users, 1)
            self.movie_embedding = layers.Embedding(
                num_movies, embedding_size, embeddings_initializer="he_normal",
                embeddings_regularizer=keras.regularizers.l2(1e-6))
            self.movie_bias = layers.Embedding(num_movies, 1)

        def call(self, inputs):
            user_vector = self.user_embedding(inputs[:, 0])
            user_bias = self.user_bias(inputs[:, 0])
            movie_vector = self.movie_embedding(inputs[:, 1])
            movie_bias = self.movie_bias(inputs[:, 1])
            dot_user_movie = ops.tensordot(user_vector, movie_vector, 2)
            x = dot_user_movie + user_bias + movie_bias
            return ops.nn.sigmoid(x)

    return RecommenderNet


def program(keras, weights=None, **fit_options):
    (df, x_train, x_test, y_train, y_test, num_users, num_movies, user2user_encoded,
     movie2movie_encoded, movie_encoded2movie) = prepare()
    keras.utils.set_random_seed(0)
    model = define_model(keras)(num_users, num_movies, EMBEDDING_SIZE)
    model.compile(loss=keras.losses.BinaryCrossentropy(),
                  optimizer=keras.optimizers.Adam(learning_rate=0.01))
    initial = model.predict(x_test[:4], verbose=0)
    if weights is not None:
        model.set_weights(weights)
    weights = [np.array(w) for w in model.get_weights()]
    before = model.predict(x_test, verbose=0)
    history = model.fit(x=x_train, y=y_train, batch_size=64, epochs=4, verbose=0,
                        validation_data=(x_test, y_test), **fit_options)
    user_id = df.userId.sample(1, random_state=1).iloc[0]
    movies_watched_by_user = df[df.userId == user_id].movieId.values
    movies_not_watched = sorted(set(movie2movie_encoded) - set(movies_watched_by_user))
    movies_not_watched = [[movie2movie_encoded.get(x)] for x in movies_not_watched]
    user_encoder = user2user_encoded.get(user_id)
    user_movie_array = np.hstack(([[user_encoder]] * len(movies_not_watched),
                                  movies_not_watched))
    ratings = model.predict(user_movie_array, verbose=0).flatten()
    top_ratings_indices = ratings.argsort()[-10:][::-1]
    recommended = [movie_encoded2movie.get(movies_not_watched[x][0])
                   for x in top_ratings_indices]
    return {"weights": weights, "initial_shape": initial.shape, "before": before,
            "history": history.history, "ratings": ratings, "recommended": recommended,
            "losses": len(model.losses), "n_weights": len(model.weights)}


def check(result):
    assert result["initial_shape"] == (4, 1)
    assert result["n_weights"] == 4 and result["losses"] == 2
    history = result["history"]
    assert set(history) == {"loss", "val_loss"}
    assert history["loss"][-1] < history["loss"][0]
    assert len(result["recommended"]) == 10 and len(set(result["recommended"])) == 10
    assert ((result["ratings"] > 0) & (result["ratings"] < 1)).all()


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    """The l2 regularization losses are part of the loss: training agrees epoch by epoch."""
    theirs = program(real_keras, shuffle=False)
    ours = program(hocsau, weights=theirs["weights"], shuffle=False)
    for key in ("before", "history", "ratings"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
    assert ours["recommended"] == theirs["recommended"]
