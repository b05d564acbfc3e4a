"""`ContrastLimitedAdaptiveHistogramEqualization` (CLAHE): histogram equalization per tile,
with clipped histograms and bilinear blending between neighbouring tiles."""

from __future__ import annotations

import torch

from hocsau.layers.preprocessing._augmentation_layer import batched, check_value_range, rescale
from hocsau.layers.preprocessing._image_layer import ImageLayer
from hocsau.saving.serialization import keras_class

_BINS = 256


@keras_class("keras.layers")
class ContrastLimitedAdaptiveHistogramEqualization(ImageLayer):
    """Equalizes each channel of each image tile by tile, as Keras 3 does.

    The image (scaled to [0, 255]) is split into a `tile_grid_size` grid of tiles (the last
    row and column padded by mirroring); each tile's 256-bin histogram is clipped at
    `clip_limit` times the mean bin count, the clipped excess spread evenly over all bins, and
    its cumulative histogram becomes the tile's lookup table. Every pixel blends the tables of
    its four nearest tile centres bilinearly. Not random: applied in training and inference.

    Args:
        value_range: the `(min, max)` of the pixel values.
        clip_limit: the histogram clip, relative to a flat histogram (0 or less: no clip).
        tile_grid_size: the number of tiles, `(rows, columns)`.
        data_format: 'channels_last' (default from config) or 'channels_first'.
    """

    def __init__(self, value_range=(0, 255), clip_limit: float = 4.0,
                 tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = check_value_range(value_range)
        if isinstance(clip_limit, bool) or not isinstance(clip_limit, (int, float)):
            raise ValueError(f"`clip_limit` must be a number. Received: clip_limit={clip_limit!r}")
        self.clip_limit = clip_limit
        if not isinstance(tile_grid_size, (tuple, list)) or len(tile_grid_size) != 2 or not all(
                isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in tile_grid_size):
            raise ValueError("`tile_grid_size` must be a pair of positive integers. "
                             f"Received: tile_grid_size={tile_grid_size!r}")
        self.tile_grid_size = tuple(tile_grid_size)

    def call(self, inputs):
        if inputs.is_floating_point():
            inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        outputs = self.transform_images(batched(inputs, self.name))
        return outputs[0] if inputs.ndim == 3 else outputs

    def transform_images(self, images, transformation=None, training=True):
        """Equalizes a batch `images` (`transformation` and `training` are unused); the result
        keeps the input's dtype (integers are truncated, as Keras casts back)."""
        images = torch.as_tensor(images)
        if self.data_format == "channels_first":
            images = images.permute(0, 2, 3, 1)
        pixels = rescale(images.float(), self.value_range, (0, 255))
        equalized = rescale(self._clahe(pixels), (0, 255), self.value_range).to(images.dtype)
        if self.data_format == "channels_first":
            equalized = equalized.permute(0, 3, 1, 2)
        return equalized.contiguous()

    def _clahe(self, images: torch.Tensor) -> torch.Tensor:
        """CLAHE of a channels_last float32 batch with values in [0, 255]."""
        height, width = images.shape[1:3]
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded = _mirror_pad(_mirror_pad(images, 1, tile_h * grid_h), 2, tile_w * grid_w)
        tables = _edge_pad(self._tile_tables(padded, tile_h, tile_w))
        rows, row_weights = _neighbours(padded.shape[1], tile_h, grid_h, images.device)
        cols, col_weights = _neighbours(padded.shape[2], tile_w, grid_w, images.device)
        levels = padded.clamp(0, 255).to(torch.int32).long()
        batch = torch.arange(images.shape[0], device=images.device)[:, None, None, None]
        channel = torch.arange(images.shape[3], device=images.device)[None, None, None, :]

        def lookup(row, col):
            return tables[batch, row[None, :, None, None], col[None, None, :, None], channel,
                          levels]

        wy, wx = row_weights[None, :, None, None], col_weights[None, None, :, None]
        top = lookup(rows[0], cols[0]) * (1.0 - wx) + lookup(rows[0], cols[1]) * wx
        bottom = lookup(rows[1], cols[0]) * (1.0 - wx) + lookup(rows[1], cols[1]) * wx
        blended = top * (1.0 - wy) + bottom * wy
        return blended[:, :height, :width, :]

    def _tile_tables(self, padded: torch.Tensor, tile_h: int, tile_w: int) -> torch.Tensor:
        """The (batch, grid_h, grid_w, channels, 256) lookup tables of the tiles."""
        batch, channels = padded.shape[0], padded.shape[3]
        grid_h, grid_w = self.tile_grid_size
        tiles = padded.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels)
        tiles = tiles.permute(0, 1, 3, 5, 2, 4).reshape(batch, grid_h, grid_w, channels, -1)
        levels = tiles.to(torch.int32).clamp(0, 255).long()
        histograms = torch.zeros(*levels.shape[:-1], _BINS, device=padded.device)
        histograms.scatter_add_(-1, levels, torch.ones_like(tiles))
        area = tile_h * tile_w
        if self.clip_limit > 0:
            limit = torch.tensor(self.clip_limit * area / 256.0, dtype=torch.float32)
            clipped = histograms.clamp(0, limit)
            excess = (histograms - clipped).sum(-1, keepdim=True)
            histograms = clipped + excess / 256.0
        cdf = histograms.cumsum(-1)
        cdf_min = cdf.amin(-1, keepdim=True)
        denominator = torch.tensor(float(area)) - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        return ((cdf - cdf_min) * 255.0 / denominator).clamp(0, 255)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"value_range": self.value_range, "clip_limit": self.clip_limit,
                       "tile_grid_size": self.tile_grid_size})
        return config


def _mirror_pad(images: torch.Tensor, axis: int, size: int) -> torch.Tensor:
    """`images` extended along `axis` to `size` by symmetric mirroring (edge repeated)."""
    length = images.shape[axis]
    if size == length:
        return images
    position = torch.arange(size, device=images.device) % (2 * length)
    index = torch.where(position < length, position, 2 * length - 1 - position)
    return images.index_select(axis, index)


def _edge_pad(tables: torch.Tensor) -> torch.Tensor:
    """The tile grid (axes 1 and 2) extended by one repeated tile on every side."""
    tables = torch.cat([tables[:, :1], tables, tables[:, -1:]], 1)
    return torch.cat([tables[:, :, :1], tables, tables[:, :, -1:]], 2)


def _neighbours(size: int, tile: int, grid: int, device) -> tuple:
    """For each pixel row (or column): the two padded-grid tiles whose centres surround it
    and the weight of the second."""
    position = (torch.arange(size, dtype=torch.float32, device=device) - tile / 2.0) / tile + 1.0
    first = torch.floor(position)
    weight = position - first
    indices = [index.clamp(0, grid + 1).long() for index in (first, first + 1.0)]
    return indices, weight
