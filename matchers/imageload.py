"""Safe loading of listing images: every byte string a page hands us is treated as hostile.

Bytes and pixels are bounded, the format is sniffed from the bytes (never trusted from a file
name or a Content-Type), SVG is never rasterised, and every way a file can be wrong ends in a
`ImageRejected` with a reason an officer can read, never in an exception.

Reasons have the shape ``"<code>: <中文说明>"`` so programs can group them by code while a
report can print them as they are.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """A decoded image in RGB (transparency flattened onto white) and the SHA-256 of its bytes."""

    image: Image.Image
    sha256: str
    format: str
    # The size the file declares; `image` may be smaller when the caller asked for `max_side`.
    width: int
    height: int

    def to_array(self) -> np.ndarray:
        return np.asarray(self.image)


@dataclass(frozen=True, slots=True)
class ImageRejected:
    reason: str
    sha256: str | None = None

    @property
    def code(self) -> str:
        return self.reason.split(":", 1)[0]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sniff_format(data: bytes) -> str | None:
    """The image format the leading bytes announce, "SVG" for vector markup, or None."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:2] == b"BM":
        return "BMP"
    if _looks_like_svg(data):
        return "SVG"
    return None


def _looks_like_svg(data: bytes) -> bool:
    text = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"\x1f\x8b"):  # gzip: an .svgz would only be SVG once inflated; treat as not an image
        return False
    return text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text) or b"<svg" in text[:512]


def load_image_bytes(
    data: bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_side: int | None = None,
) -> LoadedImage | ImageRejected:
    """Decode `data` into an RGB image, or say why not.

    `max_side` lets JPEG decoding scale down in the decoder itself (much cheaper than decoding
    at full size and resizing); the result is at most `max_side` on its longer side.
    """
    if len(data) == 0:
        return ImageRejected("empty: 文件为空（0 字节）")
    digest = sha256_hex(data)
    if len(data) > max_bytes:
        return ImageRejected(f"too_large: 文件 {len(data):,} 字节，超过上限 {max_bytes:,} 字节", digest)
    sniffed = sniff_format(data)
    if sniffed == "SVG":
        return ImageRejected("svg_refused: 矢量图（SVG）不做栅格化分析", digest)
    if sniffed is None:
        return ImageRejected(f"not_an_image: 文件内容不是支持的图片格式（开头为 {_describe_head(data)}）", digest)
    declared = declared_size(data)
    if declared is not None and declared[0] * declared[1] > max_pixels:
        width, height = declared
        return ImageRejected(
            f"too_many_pixels: 图片声明 {width}×{height} 像素，超过上限 {max_pixels:,} 像素（疑似解压炸弹）", digest
        )
    try:
        return _decode(data, digest, sniffed, max_pixels=max_pixels, max_side=max_side)
    except _Rejection as rejection:
        return ImageRejected(str(rejection), digest)
    except Image.DecompressionBombError as exc:
        return ImageRejected(_bomb_reason(exc, max_pixels), digest)
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, struct.error) as exc:
        # Pillow reports truncated and corrupt data through this family of exceptions.
        return ImageRejected(f"corrupt: 图片数据损坏或不完整（{type(exc).__name__}: {_short(exc)}）", digest)
    except MemoryError:
        return ImageRejected("too_many_pixels: 解码所需内存超出限制", digest)


def declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height as the file's own header states them, read without decoding anything.

    Pillow would refuse some bombs itself, but only once its parser is happy with the rest of
    the file; reading the header first refuses them whatever follows.
    """
    fmt = sniff_format(data)
    try:
        if fmt == "PNG" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if fmt == "GIF":
            return struct.unpack("<HH", data[6:10])
        if fmt == "BMP":
            width, height = struct.unpack("<ii", data[18:26])
            return abs(width), abs(height)
        if fmt == "WEBP":
            return _webp_size(data)
        if fmt == "JPEG":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    kind = data[12:16]
    if kind == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if kind == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    position = 2
    end = min(len(data), 1 << 20)  # the frame header comes before the pixel data, near the start
    while position + 9 < end:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2: position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5: position + 9])
            return width, height
        position += 2 + length
    return None


def load_image_file(
    path: str | Path,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_side: int | None = None,
) -> LoadedImage | ImageRejected:
    """Read at most `max_bytes` + 1 bytes of `path` and decode them with `load_image_bytes`."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return ImageRejected(f"missing: 找不到图片文件 {path}")
    except IsADirectoryError:
        return ImageRejected(f"missing: {path} 是目录而不是图片文件")
    except OSError as exc:
        return ImageRejected(f"unreadable: 无法读取图片文件 {path}（{exc.strerror or exc}）")
    return load_image_bytes(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)


class _Rejection(Exception):
    pass


def _decode(data: bytes, digest: str, sniffed: str, *, max_pixels: int, max_side: int | None) -> LoadedImage:
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning here is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except Image.DecompressionBombWarning as exc:
            raise _Rejection(_bomb_reason(exc, max_pixels)) from None
        except Image.UnidentifiedImageError:
            raise _Rejection(f"corrupt: 文件头像 {sniffed}，但无法识别为图片") from None
        if image.format != sniffed:
            raise _Rejection(f"corrupt: 文件头为 {sniffed}，解码器识别为 {image.format}")
        width, height = image.size
        if width <= 0 or height <= 0:
            raise _Rejection(f"corrupt: 图片尺寸无效（{width}×{height}）")
        # Checked from the header, before a single pixel is decoded.
        if width * height > max_pixels:
            raise _Rejection(
                f"too_many_pixels: 图片声明 {width}×{height} 像素，超过上限 {max_pixels:,} 像素"
            )
        if max_side and image.format == "JPEG" and max(width, height) > max_side:
            image.draft("RGB", _fit(width, height, max_side))
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)
        _require_complete(image)
        image.load()
        image = _upright(image)
        rgb = _to_rgb(image)
        if max_side and max(rgb.size) > max_side:
            rgb.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
        return LoadedImage(image=rgb, sha256=digest, format=sniffed, width=width, height=height)


def _require_complete(image: Image.Image) -> None:
    # LOAD_TRUNCATED_IMAGES is process-global; another library flipping it must not make us
    # accept half-decoded evidence.
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise _Rejection("corrupt: 进程设置了 LOAD_TRUNCATED_IMAGES，拒绝可能不完整的图片")


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image) or image
    except Exception:  # a broken EXIF block should not cost us the picture itself
        return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        top = float(array.max()) or 1.0
        return Image.fromarray((array * (255.0 / top)).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


def _bomb_reason(exc: Exception, max_pixels: int) -> str:
    declared = re.search(r"\((\d+) pixels\)", str(exc))
    amount = f"{int(declared.group(1)):,} 像素" if declared else "过多像素"
    return f"too_many_pixels: 图片声明 {amount}，超过上限 {max_pixels:,} 像素（疑似解压炸弹）"


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _describe_head(data: bytes) -> str:
    head = data[:8]
    if all(32 <= byte < 127 or byte in (9, 10, 13) for byte in head):
        return "文本 " + repr(head.decode("ascii", "replace"))
    return head.hex(" ")


def _short(exc: BaseException, limit: int = 120) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 1] + "…"
