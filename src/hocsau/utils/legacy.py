"""`hocsau.utils.legacy`: tf.keras 2's serialization format (see `hocsau.legacy.saving`)."""

from hocsau.legacy.saving import deserialize_keras_object, serialize_keras_object

__all__ = ["deserialize_keras_object", "serialize_keras_object"]
