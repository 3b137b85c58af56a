"""Safe image loading: hostile bytes end in a recorded reason, good images decode to RGB."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from matchers.imageload import (
    ImageRejected,
    LoadedImage,
    declared_size,
    load_image_bytes,
    load_image_file,
    sniff_format,
)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` pixels (a decompression-bomb shape)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


PHOTO = Image.new("RGB", (64, 48), (200, 120, 30))
JPEG = encoded(PHOTO, "JPEG", quality=90)

HOSTILE = [
    ("png declaring 30000x30000 pixels is refused before decoding", png_declaring(30000, 30000), "too_many_pixels"),
    ("png declaring 9000x9000 (over our 40 MP, under Pillow's limit) is refused", png_declaring(9000, 9000),
     "too_many_pixels"),
    ("truncated jpeg", JPEG[: len(JPEG) // 2], "corrupt"),
    ("truncated png", encoded(PHOTO, "PNG")[:60], "corrupt"),
    ("text file named .jpg", "这不是图片 just text".encode(), "not_an_image"),
    ("html error page", b"<!DOCTYPE html><html><body>404</body></html>", "not_an_image"),
    ("svg is never rasterised", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="9"/>',
     "svg_refused"),
    ("bare svg with leading whitespace", b"  \n<svg viewBox='0 0 10 10'></svg>", "svg_refused"),
    ("zero-byte file", b"", "empty"),
    ("tiff is not an expected listing format", encoded(PHOTO, "TIFF"), "not_an_image"),
    ("jpeg magic followed by garbage", b"\xff\xd8\xff" + bytes(200), "corrupt"),
]


@pytest.mark.parametrize(("data", "code"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_hostile_bytes_yield_a_recorded_reason(data, code):
    result = load_image_bytes(data)
    assert isinstance(result, ImageRejected)
    assert result.code == code, result.reason
    assert ": " in result.reason and len(result.reason.split(": ", 1)[1]) > 3


def test_oversized_file_refused_by_byte_bound():
    result = load_image_bytes(JPEG, max_bytes=len(JPEG) - 1)
    assert isinstance(result, ImageRejected) and result.code == "too_large"
    assert result.sha256 is not None


def test_pixel_bound_is_configurable():
    assert isinstance(load_image_bytes(encoded(PHOTO, "PNG"), max_pixels=64 * 48 - 1), ImageRejected)
    assert isinstance(load_image_bytes(encoded(PHOTO, "PNG"), max_pixels=64 * 48), LoadedImage)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "BMP", "GIF"])
def test_expected_formats_decode_to_rgb(fmt):
    result = load_image_bytes(encoded(PHOTO, fmt))
    assert isinstance(result, LoadedImage), getattr(result, "reason", "")
    assert result.format == fmt and result.image.mode == "RGB" and result.image.size == (64, 48)
    assert len(result.sha256) == 64 and result.to_array().shape == (48, 64, 3)


def test_animated_gif_gives_first_frame():
    frames = [Image.new("RGB", (20, 20), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    data = io.BytesIO()
    frames[0].save(data, "GIF", save_all=True, append_images=frames[1:])
    result = load_image_bytes(data.getvalue())
    assert isinstance(result, LoadedImage)
    red, green, blue = result.image.getpixel((10, 10))
    assert red > 200 and blue < 50


def test_transparency_is_flattened_onto_white():
    transparent = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    result = load_image_bytes(encoded(transparent, "PNG"))
    assert isinstance(result, LoadedImage) and result.image.getpixel((5, 5)) == (255, 255, 255)


def test_mislabelled_file_is_decoded_by_its_content(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(encoded(PHOTO, "PNG"))
    result = load_image_file(path)
    assert isinstance(result, LoadedImage) and result.format == "PNG"


def test_max_side_scales_down_large_jpeg():
    big = encoded(Image.new("RGB", (2400, 1200), (10, 200, 10)), "JPEG")
    result = load_image_bytes(big, max_side=800)
    assert isinstance(result, LoadedImage)
    assert max(result.image.size) == 800 and (result.width, result.height) == (2400, 1200)


def test_missing_file_and_directory_are_reasons(tmp_path):
    assert load_image_file(tmp_path / "nope.jpg").code == "missing"
    assert load_image_file(tmp_path).code == "missing"


@pytest.mark.parametrize(
    ("head", "expected"),
    [(JPEG, "JPEG"), (encoded(PHOTO, "PNG"), "PNG"), (encoded(PHOTO, "WEBP"), "WEBP"),
     (b"GIF89a....", "GIF"), (b"<svg/>", "SVG"), (b"plain", None)],
)
def test_sniff_format_reads_magic_bytes(head, expected):
    assert sniff_format(head) == expected


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) is patched to claim another size."""
    data = bytearray(JPEG)
    sof = data.index(b"\xff\xc0")
    data[sof + 5: sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(png_declaring(30000, 30000)[:33], id="png header alone, nothing after IHDR"),
        pytest.param(jpeg_declaring(20000, 20000), id="jpeg frame header claiming 20000x20000"),
        pytest.param(b"GIF89a" + struct.pack("<HH", 65535, 65535) + bytes(20), id="gif screen 65535x65535"),
        pytest.param(b"BM" + bytes(16) + struct.pack("<ii", 8000, -8000) + bytes(30), id="top-down bmp 8000x8000"),
    ],
)
def test_declared_size_is_refused_before_any_decoding(data):
    result = load_image_bytes(data)
    assert isinstance(result, ImageRejected) and result.code == "too_many_pixels", result


@pytest.mark.parametrize(("fmt", "options"), [("JPEG", {"progressive": True}), ("PNG", {}), ("GIF", {}),
                                              ("BMP", {}), ("WEBP", {}), ("WEBP", {"lossless": True})])
def test_declared_size_reads_each_format_header(fmt, options):
    assert declared_size(encoded(Image.new("RGB", (123, 45)), fmt, **options)) == (123, 45)


@pytest.mark.parametrize(
    ("image", "fmt"),
    [
        pytest.param(Image.new("CMYK", (32, 32), (0, 200, 200, 0)), "JPEG", id="cmyk jpeg"),
        pytest.param(Image.new("I;16", (32, 32), 40000), "PNG", id="16-bit grey png"),
        pytest.param(Image.new("LA", (32, 32), (90, 128)), "PNG", id="grey with alpha"),
        pytest.param(Image.new("P", (32, 32), 3), "PNG", id="palette png"),
        pytest.param(Image.new("1", (32, 32), 1), "BMP", id="1-bit bmp"),
    ],
)
def test_unusual_modes_become_rgb(image, fmt):
    result = load_image_bytes(encoded(image, fmt))
    assert isinstance(result, LoadedImage), getattr(result, "reason", "")
    assert result.image.mode == "RGB" and result.image.size == (32, 32)


def test_exif_orientation_is_applied():
    tall = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    result = load_image_bytes(encoded(tall, "JPEG", exif=exif.tobytes()))
    assert isinstance(result, LoadedImage) and result.image.size == (20, 40)
