"""Product-like photos for the demo marketplace and the image benchmarks, deterministic from a seed.

A scene is a backdrop with fruit- and packaging-like shapes and sensor noise, optionally with
a logo pasted under a transform (scale, position, rotation, recolouring, partial occlusion),
mark text printed on a package, and look-alike emblems (the logo's own colours and outline,
other text and motif) as hard negatives. Nothing here knows what the pack's logo looks like:
whatever RGBA image is passed in is what gets pasted, and distractors are derived from it.
"""

from __future__ import annotations

import colorsys
import io
import math
import random
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

RECOLOURS = ("none", "hue", "grey")
DISTRACTOR_TEXTS = ("巫山脆李", "云阳红橙", "万州烤鱼", "秭归脐橙", "三峡好物", "赣南脐橙", "山城优品", "奉节特产")
DISTRACTOR_LATIN = ("WUSHAN PLUM", "YUNYANG ORANGE", "SANXIA GOODS", "MOUNTAIN FARM", "GANNAN NAVEL")
_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
)


@dataclass(frozen=True, slots=True)
class LogoPlacement:
    """How a logo is pasted: its width as a fraction of the photo width, where, how turned."""

    width_fraction: float = 0.2
    # Centre as fractions of the photo size; None picks a random spot that keeps the logo inside.
    centre: tuple[float, float] | None = None
    angle: float = 0.0
    recolour: str = "none"
    # Fraction of the logo's area hidden under an object in front of it.
    occlusion: float = 0.0


@dataclass(frozen=True, slots=True)
class PrintedText:
    text: str
    font: str | None = None
    # Glyph height as a fraction of the photo height.
    size_fraction: float = 0.07
    angle: float = 0.0


@dataclass(frozen=True, slots=True)
class SceneSpec:
    seed: int
    size: tuple[int, int] = (800, 800)
    logo: Image.Image | None = None
    placement: LogoPlacement = field(default_factory=LogoPlacement)
    text: PrintedText | None = None
    # Look-alike emblems derived from `distractor_of` (usually the pack logo), one per entry.
    distractors: int = 0
    distractor_of: Image.Image | None = None
    greyscale: bool = False


@dataclass(frozen=True, slots=True)
class Scene:
    image: Image.Image
    # (x, y, width, height) of the pasted logo and of the printed text, when there are any.
    logo_bbox: tuple[int, int, int, int] | None
    text_bbox: tuple[int, int, int, int] | None
    distractor_bboxes: tuple[tuple[int, int, int, int], ...] = ()

    def jpeg(self, quality: int = 90) -> bytes:
        return encode_jpeg(self.image, quality)


def render_scene(spec: SceneSpec) -> Scene:
    rng = random.Random(spec.seed)
    photo = product_backdrop(spec.size, rng)
    occupied: list[tuple[int, int, int, int]] = []
    text_bbox = None
    if spec.text is not None:
        text_bbox = _print_on_package(photo, spec.text, rng)
        occupied.append(text_bbox)
    distractor_boxes = []
    source = spec.distractor_of if spec.distractor_of is not None else spec.logo
    for _ in range(spec.distractors):
        if source is None:
            break
        emblem = distractor_emblem(source, rng.randrange(1 << 30))
        placement = LogoPlacement(width_fraction=rng.uniform(0.12, 0.35), angle=rng.uniform(-15, 15))
        box = paste_logo(photo, emblem, placement, rng, avoid=occupied)
        occupied.append(box)
        distractor_boxes.append(box)
    logo_bbox = None
    if spec.logo is not None:
        logo_bbox = paste_logo(photo, spec.logo, spec.placement, rng, avoid=occupied)
    if spec.greyscale:
        photo = photo.convert("L").convert("RGB")
    return Scene(photo, logo_bbox, text_bbox, tuple(distractor_boxes))


def encode_jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=int(quality))
    return buffer.getvalue()


# --- backdrop -------------------------------------------------------------------------------


def product_backdrop(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A table-top product photo without any mark: gradient, fruit, boxes, leaves, noise."""
    width, height = size
    top = _random_colour(rng, light=True)
    bottom = _random_colour(rng, light=rng.random() < 0.5)
    ramp = np.linspace(0.0, 1.0, height)[:, None, None]
    gradient = (np.array(top)[None, None, :] * (1 - ramp) + np.array(bottom)[None, None, :] * ramp)
    photo = Image.fromarray(np.repeat(gradient, width, axis=1).astype(np.uint8))
    draw = ImageDraw.Draw(photo)
    for _ in range(rng.randint(1, 3)):
        _draw_package(draw, size, rng)
    for _ in range(rng.randint(3, 12)):
        _draw_fruit(photo, size, rng)
    for _ in range(rng.randint(0, 5)):
        _draw_leaf(draw, size, rng)
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(2, 7), (height, width, 3))
    return Image.fromarray(np.clip(np.asarray(photo, dtype=np.float32) + noise, 0, 255).astype(np.uint8))


def _random_colour(rng: random.Random, *, light: bool = False) -> tuple[int, int, int]:
    hue = rng.random()
    sat = rng.uniform(0.05, 0.5) if light else rng.uniform(0.3, 0.9)
    val = rng.uniform(0.75, 0.98) if light else rng.uniform(0.3, 0.9)
    red, green, blue = colorsys.hsv_to_rgb(hue, sat, val)
    return int(red * 255), int(green * 255), int(blue * 255)


def _draw_package(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    width, height = size
    box_w, box_h = rng.uniform(0.3, 0.7) * width, rng.uniform(0.25, 0.6) * height
    left, top = rng.uniform(-0.1, 0.8) * width, rng.uniform(0.2, 0.8) * height
    colour = _random_colour(rng)
    draw.rounded_rectangle((left, top, left + box_w, top + box_h), radius=rng.uniform(2, 25), fill=colour)
    stripe = _random_colour(rng)
    stripe_top = top + box_h * rng.uniform(0.1, 0.7)
    draw.rectangle((left, stripe_top, left + box_w, stripe_top + box_h * rng.uniform(0.05, 0.2)), fill=stripe)


def _draw_fruit(photo: Image.Image, size: tuple[int, int], rng: random.Random) -> None:
    width, height = size
    radius = rng.uniform(0.04, 0.12) * min(width, height)
    cx, cy = rng.uniform(0, width), rng.uniform(0.25 * height, height)
    hue = rng.choice((0.07, 0.09, 0.11, 0.02, 0.15)) + rng.uniform(-0.02, 0.02)
    layer = Image.new("RGBA", photo.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for step in range(6):
        shade = 0.55 + 0.08 * step
        red, green, blue = colorsys.hsv_to_rgb(hue % 1.0, 0.85, min(1.0, shade))
        inset = radius * step * 0.12
        offset = radius * step * 0.06
        draw.ellipse(
            (cx - radius + inset - offset, cy - radius + inset - offset,
             cx + radius - inset - offset, cy + radius - inset - offset),
            fill=(int(red * 255), int(green * 255), int(blue * 255), 255),
        )
    photo.paste(layer, (0, 0), layer)


def _draw_leaf(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    width, height = size
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    length, angle = rng.uniform(0.05, 0.15) * width, rng.uniform(0, math.tau)
    points = []
    for t in np.linspace(0, math.pi, 12):
        along, across = math.cos(t) * length, math.sin(t) * length * 0.35
        points.append((cx + along * math.cos(angle) - across * math.sin(angle),
                       cy + along * math.sin(angle) + across * math.cos(angle)))
    for t in np.linspace(math.pi, math.tau, 12):
        along, across = math.cos(t) * length, math.sin(t) * length * 0.35
        points.append((cx + along * math.cos(angle) - across * math.sin(angle),
                       cy + along * math.sin(angle) + across * math.cos(angle)))
    draw.polygon(points, fill=(rng.randint(20, 70), rng.randint(90, 160), rng.randint(30, 80)))


# --- logos ----------------------------------------------------------------------------------


def paste_logo(
    photo: Image.Image,
    logo: Image.Image,
    placement: LogoPlacement,
    rng: random.Random,
    *,
    avoid: list[tuple[int, int, int, int]] | None = None,
) -> tuple[int, int, int, int]:
    """Paste `logo` (RGBA honoured) onto `photo` in place; returns the pasted bounding box."""
    logo = recolour_logo(logo.convert("RGBA"), placement.recolour, rng)
    target_w = max(8, round(photo.width * placement.width_fraction))
    target_h = max(8, round(logo.height * target_w / logo.width))
    scaled = logo.resize((target_w, target_h), Image.Resampling.LANCZOS)
    turned = scaled.rotate(placement.angle, resample=Image.Resampling.BICUBIC, expand=True)
    left, top = _choose_position(photo.size, turned.size, placement.centre, rng, avoid or [])
    photo.paste(turned, (left, top), turned)
    box = (left, top, turned.width, turned.height)
    if placement.occlusion > 0:
        _occlude(photo, box, turned.getchannel("A"), placement.occlusion, rng)
    return box


def recolour_logo(logo: Image.Image, recolour: str, rng: random.Random) -> Image.Image:
    if recolour == "none":
        return logo
    alpha = logo.getchannel("A")
    if recolour == "grey":
        grey = logo.convert("L").convert("RGB")
        grey.putalpha(alpha)
        return grey
    if recolour == "hue":
        hsv = np.asarray(logo.convert("RGB").convert("HSV")).copy()
        shift = rng.randint(50, 205)
        hsv[..., 0] = (hsv[..., 0].astype(np.int32) + shift) % 256
        shifted = Image.fromarray(hsv, "HSV").convert("RGB")
        shifted.putalpha(alpha)
        return shifted
    raise ValueError(f"unknown recolour {recolour!r}; expected one of {RECOLOURS}")


def _choose_position(
    photo_size: tuple[int, int],
    item_size: tuple[int, int],
    centre: tuple[float, float] | None,
    rng: random.Random,
    avoid: list[tuple[int, int, int, int]],
) -> tuple[int, int]:
    width, height = photo_size
    item_w, item_h = item_size
    if centre is not None:
        return round(centre[0] * width - item_w / 2), round(centre[1] * height - item_h / 2)
    best = (0, 0)
    for _ in range(30):
        left = rng.randint(0, max(0, width - item_w))
        top = rng.randint(0, max(0, height - item_h))
        best = (left, top)
        if not any(_overlaps((left, top, item_w, item_h), other) for other in avoid):
            break
    return best


def _overlaps(first: tuple[int, int, int, int], second: tuple[int, int, int, int]) -> bool:
    ax, ay, aw, ah = first
    bx, by, bw, bh = second
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _occlude(
    photo: Image.Image,
    box: tuple[int, int, int, int],
    alpha: Image.Image,
    fraction: float,
    rng: random.Random,
) -> None:
    """Cover about `fraction` of the logo's opaque area with a fruit-coloured blob from one side."""
    left, top, width, height = box
    opaque = np.asarray(alpha) > 127
    total = max(1, int(opaque.sum()))
    side = rng.choice(("left", "right", "top", "bottom"))
    colour = _random_colour(rng)
    # Grow a band from the chosen side until it hides the requested share of the logo.
    band = 1
    limit = width if side in ("left", "right") else height
    while band < limit:
        covered = {
            "left": opaque[:, :band], "right": opaque[:, width - band:],
            "top": opaque[:band, :], "bottom": opaque[height - band:, :],
        }[side].sum()
        if covered / total >= fraction:
            break
        band += 1
    draw = ImageDraw.Draw(photo)
    if side == "left":
        shape = (left - band, top - height * 0.1, left + band, top + height * 1.1)
    elif side == "right":
        shape = (left + width - band, top - height * 0.1, left + width + band, top + height * 1.1)
    elif side == "top":
        shape = (left - width * 0.1, top - band, left + width * 1.1, top + band)
    else:
        shape = (left - width * 0.1, top + height - band, left + width * 1.1, top + height + band)
    draw.rounded_rectangle(shape, radius=band // 2, fill=colour)


def distractor_emblem(logo: Image.Image, seed: int, *, text: str | None = None) -> Image.Image:
    """A look-alike: the logo's outline and palette, another motif and other text."""
    rng = random.Random(seed)
    logo = logo.convert("RGBA")
    size = logo.size
    alpha = logo.getchannel("A")
    palette = dominant_colours(logo, 4)
    rng.shuffle(palette[1:])
    background, ring, accent = (palette + [(255, 255, 255)] * 3)[:3]
    ink = max(palette + [(255, 255, 255)], key=lambda colour: abs(_luma(colour) - _luma(background)))
    emblem = Image.new("RGBA", size, (*ring, 255))
    draw = ImageDraw.Draw(emblem)
    margin = min(size) * rng.uniform(0.06, 0.1)
    draw.ellipse((margin, margin, size[0] - margin, size[1] - margin), fill=(*background, 255))
    _draw_motif(draw, size, accent, rng)
    font = ImageFont.truetype(font_paths()[rng.randrange(len(font_paths()))], int(size[1] * 0.13))
    words = text or rng.choice(DISTRACTOR_TEXTS)
    _centred_text(draw, (size[0] / 2, size[1] * 0.76), words, font, ink)
    small = ImageFont.truetype(font_paths()[0], int(size[1] * 0.055))
    _centred_text(draw, (size[0] / 2, size[1] * 0.2), rng.choice(DISTRACTOR_LATIN), small, (255, 255, 255))
    emblem.putalpha(alpha)
    return emblem


def _draw_motif(draw: ImageDraw.ImageDraw, size: tuple[int, int], colour: tuple[int, int, int],
                rng: random.Random) -> None:
    width, height = size
    kind = rng.choice(("waves", "leaf", "sun", "houses", "peaks"))
    if kind == "waves":
        for row in range(3):
            y = height * (0.38 + 0.08 * row)
            points = [(width * (0.2 + 0.6 * t), y + math.sin(t * math.tau * 2) * height * 0.03)
                      for t in np.linspace(0, 1, 30)]
            draw.line(points, fill=colour, width=max(2, int(height * 0.025)))
    elif kind == "leaf":
        draw.ellipse((width * 0.3, height * 0.3, width * 0.7, height * 0.55), fill=colour)
        draw.line((width * 0.3, height * 0.55, width * 0.7, height * 0.3), fill=(255, 255, 255), width=4)
    elif kind == "sun":
        cx, cy, radius = width * 0.5, height * 0.43, height * 0.1
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
        for step in range(12):
            angle = step * math.tau / 12
            draw.line((cx + math.cos(angle) * radius * 1.2, cy + math.sin(angle) * radius * 1.2,
                       cx + math.cos(angle) * radius * 1.7, cy + math.sin(angle) * radius * 1.7),
                      fill=colour, width=max(2, int(height * 0.015)))
    elif kind == "peaks":
        for left in (0.22, 0.52):
            draw.polygon([(width * left, height * 0.62), (width * (left + 0.13), height * 0.3),
                          (width * (left + 0.26), height * 0.62)], fill=colour)
        draw.rectangle((width * 0.2, height * 0.63, width * 0.8, height * 0.67), fill=(255, 255, 255))
    else:
        for index in range(3):
            left = width * (0.27 + 0.16 * index)
            base = height * 0.58
            draw.rectangle((left, base - height * 0.12, left + width * 0.12, base), fill=colour)
            draw.polygon([(left - width * 0.02, base - height * 0.12), (left + width * 0.06, base - height * 0.2),
                          (left + width * 0.14, base - height * 0.12)], fill=colour)


def dominant_colours(image: Image.Image, count: int) -> list[tuple[int, int, int]]:
    """The `count` most used colours of the opaque part of an RGBA image, most used first."""
    rgba = np.asarray(image.convert("RGBA"))
    opaque = rgba[rgba[..., 3] > 127][:, :3]
    if len(opaque) == 0:
        return [(128, 128, 128)] * count
    quantised = Image.fromarray(opaque.reshape(1, -1, 3)).quantize(count, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette()[: 3 * count]
    usage = np.bincount(np.asarray(quantised).ravel(), minlength=count)
    order = np.argsort(-usage)
    colours = [tuple(palette[3 * index: 3 * index + 3]) for index in order]
    return [tuple(int(c) for c in colour) for colour in colours]


def generated_logo(seed: int = 7, *, text: str = "青山好物", size: int = 480) -> Image.Image:
    """A second, unrelated logo (square badge, other motif and text) for tests that must not
    depend on the pack's stand-in artwork."""
    rng = random.Random(seed)
    logo = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    main, second = _random_colour(rng), _random_colour(rng)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 0.12, fill=(*main, 255))
    draw.rounded_rectangle((size * 0.06, size * 0.06, size * 0.94, size * 0.94), radius=size * 0.09,
                           fill=(250, 248, 240, 255))
    for index in range(5):
        x = size * (0.18 + 0.16 * index)
        peak = size * rng.uniform(0.18, 0.35)
        draw.polygon([(x - size * 0.1, size * 0.55), (x, peak), (x + size * 0.1, size * 0.55)], fill=(*second, 255))
    draw.rectangle((size * 0.1, size * 0.56, size * 0.9, size * 0.6), fill=(*main, 255))
    font = ImageFont.truetype(font_paths()[1 % len(font_paths())], int(size * 0.17))
    _centred_text(draw, (size / 2, size * 0.76), text, font, main)
    small = ImageFont.truetype(font_paths()[0], int(size * 0.06))
    _centred_text(draw, (size / 2, size * 0.9), "QINGSHAN GOODS", small, second)
    return logo


# --- text on packaging ----------------------------------------------------------------------


def _print_on_package(photo: Image.Image, printed: PrintedText, rng: random.Random) -> tuple[int, int, int, int]:
    font_path = printed.font or font_paths()[rng.randrange(len(font_paths()))]
    font = ImageFont.truetype(font_path, max(8, int(photo.height * printed.size_fraction)))
    probe = ImageDraw.Draw(photo)
    left, top, right, bottom = probe.textbbox((0, 0), printed.text, font=font)
    text_w, text_h = right - left, bottom - top
    pad = int(text_h * 0.6)
    label_colour = _random_colour(rng, light=True)
    ink = _contrasting_ink(label_colour, rng)
    label = Image.new("RGBA", (text_w + 2 * pad, text_h + 2 * pad), (*label_colour, 255))
    ImageDraw.Draw(label).text((pad - left, pad - top), printed.text, font=font, fill=(*ink, 255))
    turned = label.rotate(printed.angle, resample=Image.Resampling.BICUBIC, expand=True)
    x = rng.randint(0, max(0, photo.width - turned.width))
    y = rng.randint(0, max(0, photo.height - turned.height))
    photo.paste(turned, (x, y), turned)
    return (x, y, turned.width, turned.height)


def _luma(colour: tuple[int, int, int]) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def _contrasting_ink(background: tuple[int, int, int], rng: random.Random) -> tuple[int, int, int]:
    base = rng.choice(((160, 20, 20), (20, 90, 40), (20, 30, 120), (30, 30, 30)))
    return base if _luma(background) > 110 else (250, 250, 250)


def _centred_text(draw: ImageDraw.ImageDraw, centre: tuple[float, float], text: str,
                  font: ImageFont.FreeTypeFont, fill: tuple[int, int, int]) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text((centre[0] - (right - left) / 2 - left, centre[1] - (bottom - top) / 2 - top), text,
              font=font, fill=fill)


@lru_cache(maxsize=1)
def font_paths() -> tuple[str, ...]:
    """CJK fonts available here: the Noto CJK files, else whatever fontconfig offers for zh."""
    found = tuple(path for path in _FONT_CANDIDATES if Path(path).exists())
    if found:
        return found
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        listing = None
    paths = sorted({line.split(":")[0] for line in (listing.stdout if listing else "").splitlines() if line})
    if not paths:
        raise RuntimeError("no CJK font found (install fonts-noto-cjk)")
    return tuple(paths)
