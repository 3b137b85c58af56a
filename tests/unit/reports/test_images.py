"""Images reach a report only re-encoded by Pillow, within a pixel bound."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from reports.images import ImageProblem, embed_image, embed_image_slices, try_embed_image
from reports.testing import png_bytes


def decoded(data_uri: str) -> Image.Image:
    header, _, payload = data_uri.partition(",")
    assert header in ("data:image/png;base64", "data:image/jpeg;base64")
    return Image.open(io.BytesIO(base64.b64decode(payload)))


def test_thumbnail_is_reencoded_and_bounded():
    image = embed_image(png_bytes(size=(1280, 4000)), max_width=240, max_height=320, top_only=True)
    assert (image.width, image.height) == (240, 320)  # the top of the page, not a sliver of all of it
    assert decoded(image.data_uri).size == (240, 320)


def test_crop_takes_the_box_and_clamps_it_to_the_image():
    source = Image.new("RGB", (100, 100), "white")
    source.paste((255, 0, 0), (10, 10, 30, 30))
    buffer = io.BytesIO()
    source.save(buffer, format="PNG")
    crop = embed_image(buffer.getvalue(), crop=[10, 10, 30, 30], max_width=100)
    assert (crop.width, crop.height) == (20, 20)
    assert decoded(crop.data_uri).convert("RGB").getpixel((10, 10)) == (255, 0, 0)
    assert embed_image(buffer.getvalue(), crop=[90, 90, 500, 500]).width == 10
    with pytest.raises(ImageProblem, match="outside"):
        embed_image(buffer.getvalue(), crop=[200, 200, 300, 300])


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "not a readable image"),  # never embedded
        (b"GIF89a" + b"\x00" * 10, "not a readable image"),
        (b"", "not a readable image"),
    ],
)
def test_non_images_are_refused(payload, message):
    with pytest.raises(ImageProblem, match=message):
        embed_image(payload)
    assert try_embed_image(payload) is None


def test_pixel_bound_is_checked_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(buffer, format="PNG")  # small file, 50 megapixels
    with pytest.raises(ImageProblem, match="pixel bound"):
        embed_image(buffer.getvalue())


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ImageProblem, match="gone.png: cannot be read"):
        embed_image(tmp_path / "gone.png")


def test_slices_cover_the_whole_screenshot_top_to_bottom():
    slices = embed_image_slices(png_bytes(size=(1000, 2900)), max_width=500, slice_ratio=1.3)
    assert [piece.height for piece in slices] == [650, 650, 150]  # 500x1450 after scaling
    assert all(piece.width == 500 for piece in slices)
