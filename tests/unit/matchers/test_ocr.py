"""OCR reads mark text printed on packaging-like photos, with boxes where the text is."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from demo.imagery import PrintedText, SceneSpec, font_paths, render_scene
from matchers.ocr import ocr_engine, read_text


def contains(outer, inner, slack=6) -> bool:
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return ox - slack <= ix and oy - slack <= iy and ix + iw <= ox + ow + slack and iy + ih <= oy + oh + slack


@pytest.mark.parametrize(
    ("text", "size", "angle", "font"),
    [
        ("奉上好品", 0.07, 0, 0),
        ("奉节脐橙", 0.05, 8, 2),
        ("奉上好品", 0.09, -10, 3),
    ],
)
def test_reads_printed_mark_text_inside_its_label(text, size, angle, font):
    fonts = font_paths()
    scene = render_scene(SceneSpec(seed=31, text=PrintedText(text, font=fonts[font % len(fonts)],
                                                             size_fraction=size, angle=angle)))
    boxes = read_text(scene.image)
    matching = [box for box in boxes if text in box.text]
    assert matching, [box.text for box in boxes]
    assert contains(scene.text_bbox, matching[0].bbox)
    assert 0.5 <= matching[0].confidence <= 1.0


def test_photo_without_text_reads_nothing_like_the_mark():
    scene = render_scene(SceneSpec(seed=8))
    assert not any("奉" in box.text for box in read_text(scene.image))


def test_large_input_is_scaled_but_boxes_are_in_original_pixels():
    scene = render_scene(SceneSpec(seed=31, size=(2400, 2400), text=PrintedText("奉上好品", size_fraction=0.06)))
    boxes = [box for box in read_text(scene.image, max_side=800) if "奉上好品" in box.text]
    assert boxes and contains(scene.text_bbox, boxes[0].bbox, slack=20)


def test_accepts_arrays_and_tiny_images():
    assert read_text(np.zeros((4, 4, 3), np.uint8)) == []
    assert read_text(Image.new("L", (64, 64), 255)) == []


def test_engine_is_built_once_per_process():
    assert ocr_engine() is ocr_engine()
