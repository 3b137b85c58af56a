"""Logo search: found under each transform the issue names, for the pack's logo and for an
unrelated generated logo; look-alike emblems and logo-free photos stay clean."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from demo.imagery import LogoPlacement, SceneSpec, distractor_emblem, generated_logo, render_scene
from matchers.imageload import load_image_bytes
from matchers.logo import LogoIndex
from matchers.pack import load_pack

PACK_LOGO_ID = "LOGO_MAIN"


@pytest.fixture(scope="module")
def fengjie(repo_root):
    return load_pack(repo_root / "brandpacks" / "fengjie")


@pytest.fixture(scope="module")
def pack_logo(fengjie):
    mark = next(mark for mark in fengjie.logo_marks)
    return mark.id, Image.open(fengjie.logo_path(mark)).convert("RGBA")


@pytest.fixture(scope="module")
def pack_index(fengjie):
    return LogoIndex.from_pack(fengjie)


@pytest.fixture(scope="module")
def other_logo():
    return generated_logo(seed=11, text="青山好物")


@pytest.fixture(scope="module")
def other_index(other_logo):
    return LogoIndex.from_images([("OTHER", other_logo)])


def photo(spec: SceneSpec, quality: int = 88):
    scene = render_scene(spec)
    return scene, load_image_bytes(scene.jpeg(quality)).image


def overlap(first, second) -> float:
    ax, ay, aw, ah = first
    bx, by, bw, bh = second
    width = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    height = max(0, min(ay + ah, by + bh) - max(ay, by))
    return width * height / float(min(aw * ah, bw * bh))


TRANSFORMS = [
    ("10% of width", LogoPlacement(width_fraction=0.10), 88),
    ("40% of width", LogoPlacement(width_fraction=0.40), 88),
    ("rotated +15°", LogoPlacement(width_fraction=0.22, angle=15), 88),
    ("rotated -15°", LogoPlacement(width_fraction=0.18, angle=-15), 88),
    ("JPEG quality 40", LogoPlacement(width_fraction=0.15), 40),
    ("hue turned", LogoPlacement(width_fraction=0.2, recolour="hue"), 88),
    ("greyscale logo", LogoPlacement(width_fraction=0.2, recolour="grey"), 88),
    ("15% covered", LogoPlacement(width_fraction=0.25, occlusion=0.15), 88),
    ("corner position", LogoPlacement(width_fraction=0.15, centre=(0.1, 0.9)), 88),
]


@pytest.mark.parametrize(("placement", "quality"), [case[1:] for case in TRANSFORMS], ids=[c[0] for c in TRANSFORMS])
@pytest.mark.parametrize("which", ["pack logo", "generated logo"])
def test_logo_found_under_transform(which, placement, quality, pack_logo, pack_index, other_logo, other_index):
    mark_id, logo = pack_logo if which == "pack logo" else ("OTHER", other_logo)
    index = pack_index if which == "pack logo" else other_index
    scene, image = photo(SceneSpec(seed=zlib.crc32(f"{which}{placement}".encode()) % 10_000, logo=logo, placement=placement), quality)
    hits = index.find(image)
    assert [hit.mark_id for hit in hits] == [mark_id]
    hit = hits[0]
    assert overlap(hit.bbox, scene.logo_bbox) > 0.6, (hit.bbox, scene.logo_bbox)
    assert 0.5 < hit.score <= 1.0
    assert {"inliers", "inlier_ratio", "cell_agreement", "hash_distance", "distance"} <= set(hit.measurements)
    assert 0.0 <= hit.measurements["distance"] <= 0.5
    assert hit.measurements["distance"] == round(hit.measurements["hash_distance"] / 64, 3)
    # Hits go into JSON findings and the cache: plain Python numbers only.
    assert type(hit.score) is float and all(type(value) is float for value in hit.measurements.values())
    assert all(type(value) is int for value in hit.bbox)


def test_whole_photo_greyscale_still_found(pack_logo, pack_index):
    _mark_id, logo = pack_logo
    _scene, image = photo(SceneSpec(seed=5, logo=logo, placement=LogoPlacement(width_fraction=0.3), greyscale=True))
    assert pack_index.find(image)


@pytest.mark.parametrize("seed", range(6))
def test_look_alike_emblems_in_same_palette_are_rejected(seed, pack_logo, pack_index):
    _mark_id, logo = pack_logo
    _scene, image = photo(SceneSpec(seed=500 + seed, distractors=2, distractor_of=logo))
    assert pack_index.find(image) == []


def test_distractor_of_generated_logo_rejected(other_logo, other_index):
    _scene, image = photo(SceneSpec(seed=77, distractors=2, distractor_of=other_logo))
    assert other_index.find(image) == []


@pytest.mark.parametrize("seed", range(8))
def test_logo_free_photos_are_clean(seed, pack_index, other_index):
    _scene, image = photo(SceneSpec(seed=900 + seed))
    assert pack_index.find(image) == [] and other_index.find(image) == []


def test_each_logo_of_a_two_logo_index_is_told_apart(pack_logo, other_logo):
    mark_id, logo = pack_logo
    index = LogoIndex.from_images([(mark_id, logo), ("OTHER", other_logo)])
    _scene, image = photo(SceneSpec(seed=3, logo=other_logo, placement=LogoPlacement(width_fraction=0.25)))
    assert [hit.mark_id for hit in index.find(image)] == ["OTHER"]


def test_distractor_emblem_really_is_a_look_alike(pack_logo):
    # Guards the benchmark's hard negatives: same outline (alpha) as the logo.
    _mark_id, logo = pack_logo
    emblem = distractor_emblem(logo, 3)
    assert emblem.size == logo.size
    assert np.array_equal(np.asarray(emblem.getchannel("A")), np.asarray(logo.getchannel("A")))


def test_index_hash_follows_the_logo_file(tmp_path, other_logo):
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    other_logo.save(first)
    other_logo.save(second)
    assert LogoIndex.from_files([("X", first)]).digest == LogoIndex.from_files([("X", second)]).digest
    generated_logo(seed=12, text="别的标志").save(second)
    assert LogoIndex.from_files([("X", first)]).digest != LogoIndex.from_files([("X", second)]).digest


def test_broken_logo_file_is_an_error_naming_the_mark(tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(b"not a png")
    with pytest.raises(ValueError, match="BROKEN"):
        LogoIndex.from_files([("BROKEN", path)])


def test_rgb_logo_without_alpha_works(other_logo):
    flat = Image.new("RGB", other_logo.size, (255, 255, 255))
    flat.paste(other_logo, mask=other_logo.getchannel("A"))
    buffer = io.BytesIO()
    flat.save(buffer, "JPEG", quality=95)
    index = LogoIndex.from_images([("FLAT", Image.open(io.BytesIO(buffer.getvalue())))])
    _scene, image = photo(SceneSpec(seed=21, logo=flat.convert("RGBA"), placement=LogoPlacement(width_fraction=0.2)))
    assert [hit.mark_id for hit in index.find(image)] == ["FLAT"]


@pytest.mark.parametrize("which", ["pack logo", "generated logo"])
def test_logo_filling_the_whole_image_is_found(which, pack_logo, pack_index, other_logo, other_index):
    mark_id, logo = pack_logo if which == "pack logo" else ("OTHER", other_logo)
    index = pack_index if which == "pack logo" else other_index
    flat = Image.new("RGB", logo.size, (255, 255, 255))
    flat.paste(logo, mask=logo.getchannel("A"))
    assert [hit.mark_id for hit in index.find(flat)] == [mark_id]


@pytest.mark.parametrize(("size", "fraction"), [((240, 240), 0.3), ((1200, 600), 0.15), ((600, 1200), 0.25)])
def test_thumbnails_and_odd_aspect_ratios(size, fraction, pack_logo, pack_index):
    _mark_id, logo = pack_logo
    scene, image = photo(SceneSpec(seed=17, size=size, logo=logo, placement=LogoPlacement(width_fraction=fraction)), 75)
    hits = pack_index.find(image)
    assert hits and overlap(hits[0].bbox, scene.logo_bbox) > 0.6
