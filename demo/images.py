"""Product photos for the marketplace's listings, drawn by demo.imagery from each listing's ProductImage."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from PIL import Image

from demo import imagery
from demo.catalogue import Product
from matchers.pack import BrandPack

PHOTO_SIZE = (640, 640)
JPEG_QUALITY = 88


def product_jpeg(pack: BrandPack, seed: int, product: Product, index: int) -> bytes:
    """The JPEG bytes of photo `index` of `product`; the same bytes for the same seed, every time."""
    photo = product.images[index]
    logo_path = None
    if photo.kind == "logo":
        logo = next((mark for mark in pack.logo_marks if mark.file), None)
        logo_path = str(pack.logo_path(logo)) if logo is not None else None
    return _render(seed, product.platform, product.listing_id, index, photo.kind, photo.text, logo_path)


@lru_cache(maxsize=256)
def _render(seed: int, platform: str, listing_id: str, index: int, kind: str, text: str | None,
            logo_path: str | None) -> bytes:
    digest = hashlib.sha256(f"{seed}:{platform}:{listing_id}:{index}".encode()).digest()
    scene_seed = int.from_bytes(digest[:4], "big")
    spec = imagery.SceneSpec(seed=scene_seed, size=PHOTO_SIZE)
    if kind == "logo" and logo_path is not None:
        # Large enough and upright enough that a logo matcher is being tested, not defeated.
        placement = imagery.LogoPlacement(width_fraction=0.22 + (digest[4] % 12) / 100, angle=(digest[5] % 21) - 10)
        spec = imagery.SceneSpec(seed=scene_seed, size=PHOTO_SIZE, logo=_logo(logo_path), placement=placement)
    elif kind == "printed" and text:
        spec = imagery.SceneSpec(seed=scene_seed, size=PHOTO_SIZE, text=imagery.PrintedText(text, size_fraction=0.08))
    return imagery.render_scene(spec).jpeg(JPEG_QUALITY)


@lru_cache(maxsize=4)
def _logo(path: str) -> Image.Image:
    with Image.open(Path(path)) as source:
        return source.convert("RGBA")
