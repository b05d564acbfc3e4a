"""Drawing boxes and masks onto images and plotting image galleries (Keras 3's
`keras.visualization`); needs Pillow for boxes and matplotlib for galleries."""

from hocsau.visualization.draw_bounding_boxes import draw_bounding_boxes
from hocsau.visualization.draw_segmentation_masks import draw_segmentation_masks
from hocsau.visualization.plot_bounding_box_gallery import plot_bounding_box_gallery
from hocsau.visualization.plot_image_gallery import plot_image_gallery
from hocsau.visualization.plot_segmentation_mask_gallery import plot_segmentation_mask_gallery

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks", "plot_bounding_box_gallery",
           "plot_image_gallery", "plot_segmentation_mask_gallery"]
