"""`FeatureSpace`: one-step preprocessing and encoding of structured (tabular) data."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from hocsau import layers, ops
from hocsau.layers.layer import Layer
from hocsau.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from hocsau.utils._feature_specs import Cross, Feature, TFDIdentity
from hocsau.utils.naming import uniquify

# The preprocessors whose output size a one-hot encoding reads, and the attribute giving it.
_CARDINALITY = ((layers.IntegerLookup, lambda p: p.vocabulary_size()),
                (layers.StringLookup, lambda p: p.vocabulary_size()),
                (layers.CategoryEncoding, lambda p: p.num_tokens),
                (layers.Discretization, lambda p: p.num_bins),
                (layers.HashedCrossing, lambda p: p.num_bins),
                (layers.Hashing, lambda p: p.num_bins))


@keras_class("keras.utils")
class FeatureSpace(Layer):
    """Preprocesses a dict of features (one value or one column per name) and encodes them
    into one float vector ("concat") or a dict of encoded features ("dict"), as Keras 3.

    Each feature is a `Feature` (built by `FeatureSpace.float`, `float_rescaled`, ...) or the
    name of one ("float", "float_normalized", "string_categorical", ...). `crosses` lists
    feature-name tuples (or `FeatureSpace.cross(...)`) hashed together into `crossing_dim`
    bins. `adapt(data)` learns vocabularies, statistics and bins from a `hocsau.data.Dataset`
    of dicts or a dict of arrays; calling the space on a dict of arrays encodes it (a dict of
    single values gives one unbatched vector); `get_inputs()` / `get_encoded_features()` are
    the symbolic inputs and outputs for a functional model. `save("x.keras")` and
    `hocsau.saving.load_model` keep what `adapt` learned.

    Args:
        features: a dict of feature name to `Feature` or feature-type string.
        output_mode: "concat" or "dict".
        crosses: feature-name tuples or `Cross` objects.
        crossing_dim: bins of the crosses given as tuples.
        hashing_dim: bins of "string_hashed" / "integer_hashed" given by name.
        num_discretization_bins: bins of "float_discretized" given by name.
    """

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot") -> Cross:
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode) -> Feature:
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None) -> Feature:
        name = name or uniquify("float")
        return Feature("float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None) -> Feature:
        name = name or uniquify("float_rescaled")
        rescaling = layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature("float32", rescaling, "float")

    @classmethod
    def float_normalized(cls, name=None) -> Feature:
        name = name or uniquify("float_normalized")
        return Feature("float32", layers.Normalization(axis=-1, name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot",
                          name=None) -> Feature:
        name = name or uniquify("float_discretized")
        discretization = layers.Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                               name=f"{name}_preprocessor")
        return Feature("float32", discretization, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None) -> Feature:
        return _categorical(layers.IntegerLookup, "int32", name or uniquify("integer_categorical"),
                            max_tokens, num_oov_indices, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None) -> Feature:
        return _categorical(layers.StringLookup, "string", name or uniquify("string_categorical"),
                            max_tokens, num_oov_indices, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None) -> Feature:
        name = name or uniquify("string_hashed")
        return Feature("string", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None) -> Feature:
        name = name or uniquify("integer_hashed")
        return Feature("int32", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if output_mode not in ("dict", "concat"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'dict', 'concat'}}. Received: output_mode={output_mode}")
        self.crossing_dim, self.hashing_dim = crossing_dim, hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {name: self._standardize_feature(name, value)
                         for name, value in features.items()}
        self.crosses = [self._standardize_cross(cross, features) for cross in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        self.output_mode = output_mode
        self.inputs = {name: layers.Input(shape=(1,), dtype=feature.dtype, name=name)
                       for name, feature in self.features.items()}
        # Module dicts, so that saving visits the preprocessors' state (vocabularies, means).
        self.preprocessors = nn.ModuleDict({name: f.preprocessor
                                            for name, f in self.features.items()})
        self.crossers = nn.ModuleDict({cross.name: layers.HashedCrossing(cross.crossing_dim,
                                                                         name=cross.name)
                                       for cross in self.crosses})
        self.one_hot_encoders = nn.ModuleDict()
        self.encoded_features = None
        self._is_adapted = self._sublayers_built = False

    def _standardize_feature(self, name: str, feature) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return deserialize_keras_object(feature)
        by_name = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(
                name=name, num_bins=self.num_discretization_bins),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if not isinstance(feature, str) or feature not in by_name:
            raise ValueError(f"Invalid feature type: {feature}")
        return by_name[feature]()

    def _standardize_cross(self, cross, features) -> Cross:
        if isinstance(cross, dict):
            cross = deserialize_keras_object(cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError("When specifying `crosses`, the argument `crossing_dim` "
                             "(dimensionality of the crossing space) should be specified as "
                             "well.")
        if any(key not in features for key in cross):
            raise ValueError("All features referenced in the `crosses` argument should be "
                             f"present in the `features` dict. Received unknown features: "
                             f"{cross}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    def _adaptable(self) -> list:
        """Names of the features whose preprocessor still has something to learn."""
        names = []
        for name, preprocessor in self.preprocessors.items():
            if isinstance(preprocessor, layers.Normalization) and preprocessor.input_mean \
                    is not None:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset) -> None:
        """Learns each adaptable preprocessor's state from `dataset`: a `hocsau.data.Dataset`
        of dicts (batched or not) or a dict of arrays/lists."""
        from hocsau.data import Dataset

        if isinstance(dataset, dict):
            dataset = Dataset.from_tensor_slices(
                {k: np.asarray(v) for k, v in dataset.items()})
        if not isinstance(dataset, Dataset):
            raise ValueError("`adapt()` can only be called on a hocsau.data.Dataset or a dict "
                             f"of arrays/lists. Received instead: {dataset} (of type "
                             f"{type(dataset)})")
        for name in self._adaptable():
            column = dataset.map(lambda x, name=name: x[name])
            rank = np.ndim(next(iter(column)))
            if rank == 0:
                column = column.batch(32)
            if rank in (0, 1):
                column = column.map(lambda x: np.expand_dims(np.asarray(x), -1))
            self.preprocessors[name].adapt(column)
        self._is_adapted = True
        self.get_encoded_features()
        self.built = self._sublayers_built = True

    def get_inputs(self) -> dict:
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The symbolic encoded features (a tensor, or a dict with `output_mode="dict"`)."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess(self.inputs)
            self.encoded_features = self._merge(preprocessed, self._cross(preprocessed))
        return self.encoded_features

    def _preprocess(self, features: dict) -> dict:
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross(self, features: dict) -> dict:
        return {cross.name: self.crossers[cross.name]([features[n] for n in cross.feature_names])
                for cross in self.crosses}

    def _merge(self, preprocessed: dict, crossed: dict):
        """The features, preprocessed ones then crosses (each sorted by name), one-hot
        encoded where asked, concatenated or as a dict."""
        names = sorted(preprocessed) + sorted(crossed)
        values = {**preprocessed, **crossed}
        encoded = {}
        for name in names:
            feature = values[name]
            if not self._sublayers_built:
                self._make_encoder(name, feature)
            encoders = self.one_hot_encoders
            encoded[name] = encoders[name](feature) if name in encoders else feature
            if self.output_mode == "concat" and not _is_float(encoded[name]):
                raise ValueError(f"Cannot concatenate features because feature '{name}' has "
                                 f"not been encoded (it has dtype {_dtype(encoded[name])}). "
                                 "Consider using `output_mode='dict'`.")
        if self.output_mode == "dict":
            return encoded
        return ops.concatenate([encoded[name] for name in names], axis=-1)

    def _make_encoder(self, name: str, feature) -> None:
        spec = self.features.get(name) or self.crosses_by_name[name]
        if spec.output_mode != "one_hot":
            return
        if not _dtype(feature).startswith(("int", "uint")):
            raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its "
                             "preprocessor should return an integer dtype. Instead it returns a "
                             f"{_dtype(feature)} dtype.")
        preprocessor = (self.preprocessors if name in self.preprocessors else self.crossers)[name]
        for kind, cardinality in _CARDINALITY:
            if isinstance(preprocessor, kind):
                self.one_hot_encoders[name] = layers.CategoryEncoding(
                    num_tokens=cardinality(preprocessor), output_mode="multi_hot")
                return
        raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a "
                         "standard feature and the dimensionality of its output space is not "
                         "known, thus it cannot be one-hot encoded. Try using "
                         "`output_mode='int'`.")

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._adaptable():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace "
                                 "before you can start using it.")
            self._is_adapted = True

    def _check_if_built(self) -> None:
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    def __call__(self, data):
        """Encodes a dict of values (one per feature: a column, or a single value)."""
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError("A FeatureSpace can only be called with a dict. "
                             f"Received: data={data} (of type {type(data)}")
        data = {key: _column(value) for key, value in data.items()}
        single = any(np.ndim(value) == 0 for value in data.values())
        data = {key: np.reshape(value, (-1, 1)) for key, value in data.items()}
        preprocessed = self._preprocess(data)
        merged = self._merge(preprocessed, self._cross(preprocessed))
        if not single:
            return merged
        if self.output_mode == "concat":
            return merged[0]
        return {name: x[0] if x.ndim == 2 and x.shape[0] == 1 else x
                for name, x in merged.items()}

    def get_config(self) -> dict:
        return {"features": serialize_keras_object(self.features),
                "output_mode": self.output_mode,
                "crosses": serialize_keras_object(self.crosses),
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config: dict) -> FeatureSpace:
        return cls(**config)

    def get_build_config(self) -> dict:
        """Each preprocessor's build config (every input is a `(batch, 1)` column)."""
        return {name: feature.preprocessor.get_build_config() or {"input_shape": [None, 1]}
                for name, feature in self.features.items()}

    def build_from_config(self, config: dict) -> None:
        for name, build in config.items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built and build:
                preprocessor.build_from_config(build)
        self._is_adapted = True

    def save(self, filepath) -> None:
        """Writes the space (config and learned state) to a `.keras` file."""
        from hocsau.saving.keras_file import save_model

        save_model(self, filepath)


def _categorical(lookup, dtype: str, name: str, max_tokens, num_oov_indices,
                 output_mode) -> Feature:
    """A feature looked up in a vocabulary learned by `adapt`."""
    return Feature(dtype, lookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                 num_oov_indices=num_oov_indices), output_mode)


def _column(value):
    """A feature's values as numpy (strings stay strings)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _dtype(tensor) -> str:
    return str(tensor.dtype).replace("torch.", "")


def _is_float(tensor) -> bool:
    return _dtype(tensor).startswith(("float", "bfloat"))
