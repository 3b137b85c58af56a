"""Images for reports: screenshots, logo crops and reference logos as data: URIs.

Every image is decoded with Pillow under a pixel bound and re-encoded, so the
report never carries a page's own bytes (an SVG with script, a polyglot file)
and needs nothing beside it to display.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from reports.viewmodels import EmbeddedImage

MAX_SOURCE_PIXELS = 40_000_000
THUMBNAIL_SIDE = 240
FULL_WIDTH = 1200


class ImageProblem(ValueError):
    """An image that cannot be embedded; the message names the file and the reason."""


def embed_image(
    source: Path | bytes,
    *,
    max_width: int = THUMBNAIL_SIDE,
    max_height: int | None = None,
    crop: Sequence[int] | None = None,
    top_only: bool = False,
    alt: str = "",
) -> EmbeddedImage:
    """Decode, optionally crop to (x0, y0, x1, y1), shrink to fit, and re-encode as PNG or JPEG.

    `top_only` keeps the top of a tall image in the target's proportions (a
    full-page screenshot's thumbnail shows the product, not a sliver of page).
    """
    image = _load(source, crop)
    bound_height = max_height or max_width * 4
    if top_only and image.height * max_width > image.width * bound_height:
        image = image.crop((0, 0, image.width, max(1, image.width * bound_height // max_width)))
    image = _flatten(image)
    # reducing_gap: shrink by whole factors first; a 1280-wide screenshot thumbnails several times faster.
    image.thumbnail((max_width, bound_height), reducing_gap=2.0)
    return _encode(image, alt)


def embed_image_slices(
    source: Path | bytes, *, max_width: int = FULL_WIDTH, slice_ratio: float = 1.3, alt: str = ""
) -> tuple[EmbeddedImage, ...]:
    """A tall image (a full-page screenshot) cut into page-sized pieces, top to bottom, nothing dropped.

    One image taller than a printed page would be pushed to its own page and
    cut off; slices of `slice_ratio` × width each fit an A4 page.
    """
    image = _flatten(_load(source, None))
    if image.width > max_width:
        image = image.resize((max_width, max(1, image.height * max_width // image.width)), reducing_gap=2.0)
    step = max(1, int(image.width * slice_ratio))
    slices = []
    for top in range(0, image.height, step):
        piece = image.crop((0, top, image.width, min(image.height, top + step)))
        slices.append(_encode(piece, alt))
    return tuple(slices)


def try_embed_image(source: Path | bytes | None, **options) -> EmbeddedImage | None:
    """`embed_image`, or None when the file is missing or unusable (a report still renders)."""
    if source is None:
        return None
    try:
        return embed_image(source, **options)
    except ImageProblem:
        return None


def try_embed_image_slices(source: Path | bytes | None, **options) -> tuple[EmbeddedImage, ...]:
    if source is None:
        return ()
    try:
        return embed_image_slices(source, **options)
    except ImageProblem:
        return ()


def _load(source: Path | bytes, crop: Sequence[int] | None) -> Image.Image:
    label = str(source) if isinstance(source, Path) else "image bytes"
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    except OSError as error:
        raise ImageProblem(f"{label}: cannot be read ({error.strerror})") from None
    with handle:
        try:
            image = Image.open(handle)
        except (UnidentifiedImageError, OSError) as error:
            raise ImageProblem(f"{label}: not a readable image ({error})") from None
        width, height = image.size
        if width * height > MAX_SOURCE_PIXELS:
            raise ImageProblem(f"{label}: {width}x{height} pixels is over the {MAX_SOURCE_PIXELS} pixel bound")
        try:
            image.load()
        except (OSError, Image.DecompressionBombError) as error:
            raise ImageProblem(f"{label}: cannot be decoded ({error})") from None
    if crop is not None:
        image = image.crop(_clamped_box(crop, image.size, label))
    return image


def _encode(image: Image.Image, alt: str) -> EmbeddedImage:
    buffer = io.BytesIO()
    if image.width * image.height > 40_000:
        image.convert("RGB").save(buffer, format="JPEG", quality=80, optimize=True)
        mime = "image/jpeg"
    else:
        image.save(buffer, format="PNG", optimize=True)
        mime = "image/png"
    payload = base64.b64encode(buffer.getvalue()).decode("ascii")
    return EmbeddedImage(f"data:{mime};base64,{payload}", image.width, image.height, alt)


def _clamped_box(box: Sequence[int], size: tuple[int, int], label: str) -> tuple[int, int, int, int]:
    if len(box) != 4:
        raise ImageProblem(f"{label}: crop box {list(box)} is not (x0, y0, x1, y1)")
    x0, y0, x1, y1 = (int(v) for v in box)
    x0, x1 = sorted((max(0, min(x0, size[0])), max(0, min(x1, size[0]))))
    y0, y1 = sorted((max(0, min(y0, size[1])), max(0, min(y1, size[1]))))
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise ImageProblem(f"{label}: crop box {list(box)} lies outside the {size[0]}x{size[1]} image")
    return x0, y0, x1, y1


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        return background.convert("RGB")
    return image.convert("RGB")
