"""The photo generator the demo and the image benchmarks rely on: deterministic, and each
transform does what it says (so benchmark figures mean what they claim)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from demo.imagery import (
    LogoPlacement,
    PrintedText,
    SceneSpec,
    distractor_emblem,
    dominant_colours,
    generated_logo,
    render_scene,
)


@pytest.fixture(scope="module")
def logo():
    return generated_logo(seed=3)


def test_same_seed_same_photo_other_seed_other_photo(logo):
    spec = SceneSpec(seed=12, logo=logo, text=PrintedText("奉上好品"), distractors=1)
    assert render_scene(spec).jpeg(80) == render_scene(spec).jpeg(80)
    assert render_scene(SceneSpec(seed=13)).jpeg(80) != render_scene(SceneSpec(seed=12)).jpeg(80)


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.4])
def test_logo_width_and_box(logo, fraction):
    scene = render_scene(SceneSpec(seed=1, logo=logo, placement=LogoPlacement(width_fraction=fraction)))
    x, y, width, height = scene.logo_bbox
    assert abs(width - 800 * fraction) <= 1
    assert 0 <= x and 0 <= y and x + width <= 800 and y + height <= 800


def test_rotation_grows_the_box(logo):
    upright = render_scene(SceneSpec(seed=1, logo=logo, placement=LogoPlacement(width_fraction=0.2)))
    turned = render_scene(SceneSpec(seed=1, logo=logo, placement=LogoPlacement(width_fraction=0.2, angle=15)))
    assert turned.logo_bbox[2] > upright.logo_bbox[2] * 1.15


def test_greyscale_recolour_leaves_the_logo_without_colour(logo):
    scene = render_scene(SceneSpec(seed=2, logo=logo, placement=LogoPlacement(width_fraction=0.3, recolour="grey")))
    x, y, width, height = scene.logo_bbox
    core = np.asarray(scene.image, dtype=np.int16)[y + height // 3: y + 2 * height // 3, x + width // 3: x + 2 * width // 3]
    assert np.abs(core[..., 0] - core[..., 1]).mean() < 3 and np.abs(core[..., 1] - core[..., 2]).mean() < 3


def test_occlusion_changes_the_logo_area(logo):
    plain = render_scene(SceneSpec(seed=4, logo=logo, placement=LogoPlacement(width_fraction=0.3)))
    covered = render_scene(SceneSpec(seed=4, logo=logo, placement=LogoPlacement(width_fraction=0.3, occlusion=0.15)))
    x, y, width, height = plain.logo_bbox
    before = np.asarray(plain.image, dtype=np.int16)[y:y + height, x:x + width]
    after = np.asarray(covered.image, dtype=np.int16)[y:y + height, x:x + width]
    changed = (np.abs(before - after).sum(axis=2) > 30).mean()
    assert 0.08 < changed < 0.4


def test_unknown_recolour_is_an_error(logo):
    with pytest.raises(ValueError, match="recolour"):
        render_scene(SceneSpec(seed=1, logo=logo, placement=LogoPlacement(recolour="sepia")))


def test_distractor_shares_palette_but_not_pixels(logo):
    emblem = distractor_emblem(logo, 5)
    palette = np.array(dominant_colours(logo, 4))
    for colour in dominant_colours(emblem, 4)[:2]:
        assert np.abs(palette - np.array(colour)).max(axis=1).min() <= 8, colour
    difference = np.abs(np.asarray(emblem, dtype=np.int16) - np.asarray(logo, dtype=np.int16))[..., :3]
    assert difference.mean() > 10


def test_printed_text_box_lies_inside_the_photo():
    scene = render_scene(SceneSpec(seed=6, size=(640, 480), text=PrintedText("奉节脐橙", angle=12)))
    x, y, width, height = scene.text_bbox
    assert 0 <= x and 0 <= y and x + width <= 640 and y + height <= 480 and scene.logo_bbox is None


def test_generated_logos_differ_by_seed_and_text():
    first, second = generated_logo(seed=1), generated_logo(seed=2, text="别家标志")
    assert first.mode == "RGBA" and first.size == second.size
    assert not np.array_equal(np.asarray(first), np.asarray(second))
    assert isinstance(first, Image.Image)
