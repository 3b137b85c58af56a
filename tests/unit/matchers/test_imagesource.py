"""Listing images end to end: hostile files are recorded and skipped, good images analysed,
results cached by SHA-256, URLs fetched only when allowed and never from private addresses."""

from __future__ import annotations

import http.server
import struct
import threading
import zlib

import pytest

from crawler.imagesource import (
    FetchPolicy,
    ImageAnalyser,
    ImageFetchError,
    analyse_listing_images,
    fetch_image,
)
from demo.imagery import LogoPlacement, SceneSpec, generated_logo, render_scene
from matchers.logo import LogoIndex
from matchers.pack import load_pack
from matchers.records import Listing


def listing(images, listing_id="L1") -> Listing:
    return Listing.from_record({
        "platform": "demo-taobao", "listing_id": listing_id, "url": f"https://shop.example/{listing_id}",
        "title": "脐橙", "captured_at": "2026-11-20T10:00:00+08:00", "images": images,
    })


@pytest.fixture(scope="module")
def logo():
    return generated_logo(seed=5, text="青山好物")


@pytest.fixture(scope="module")
def index(logo):
    return LogoIndex.from_images([("LOGO_X", logo)])


@pytest.fixture(scope="module")
def logo_jpeg(logo):
    return render_scene(SceneSpec(seed=4, logo=logo, placement=LogoPlacement(width_fraction=0.3))).jpeg(85)


@pytest.fixture
def hostile_folder(tmp_path, logo_jpeg):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)) + chunk(b"IEND", b"")
    images = tmp_path / "images"
    images.mkdir()
    (images / "bomb.png").write_bytes(bomb)
    (images / "truncated.jpg").write_bytes(logo_jpeg[: len(logo_jpeg) // 3])
    (images / "text.jpg").write_text("not an image at all", encoding="utf-8")
    (images / "vector.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', encoding="utf-8")
    (images / "empty.jpg").write_bytes(b"")
    (images / "good.jpg").write_bytes(logo_jpeg)
    return tmp_path


def test_hostile_files_are_recorded_and_the_good_image_still_analysed(hostile_folder, index, tmp_path):
    names = ["bomb.png", "truncated.jpg", "text.jpg", "vector.svg", "empty.jpg", "missing.jpg", "good.jpg"]
    analyser = ImageAnalyser(index, ocr=False, cache_dir=tmp_path / "cache")
    results = analyser(listing([f"images/{name}" for name in names]), hostile_folder)
    assert [result.index for result in results] == list(range(len(names)))
    codes = [result.error.split(":")[0] if result.error else None for result in results]
    assert codes == ["too_many_pixels", "corrupt", "not_an_image", "svg_refused", "empty", "missing", None]
    good = results[-1]
    assert good.source == "images/good.jpg" and len(good.sha256) == 64
    assert [hit.mark_id for hit in good.logo_hits] == ["LOGO_X"]


def test_analysis_is_cached_by_image_hash_across_analysers_and_listings(hostile_folder, index, tmp_path):
    cache = tmp_path / "cache"
    first = ImageAnalyser(index, ocr=False, cache_dir=cache)
    before = first(listing(["images/good.jpg"]), hostile_folder)
    assert first.stats["analysed"] == 1
    second = ImageAnalyser(index, ocr=False, cache_dir=cache)
    (hostile_folder / "copy.jpg").write_bytes((hostile_folder / "images" / "good.jpg").read_bytes())
    after = second(listing(["copy.jpg"], "L2"), hostile_folder)
    assert second.stats == {"analysed": 0, "cache_hits": 1, "errors": 0}
    assert after[0].logo_hits == before[0].logo_hits and after[0].sha256 == before[0].sha256


def test_cache_key_includes_the_logo_index(hostile_folder, index, tmp_path, repo_root):
    cache = tmp_path / "cache"
    ImageAnalyser(index, ocr=False, cache_dir=cache)(listing(["images/good.jpg"]), hostile_folder)
    other = LogoIndex.from_pack(load_pack(repo_root / "brandpacks" / "fengjie"))
    analyser = ImageAnalyser(other, ocr=False, cache_dir=cache)
    results = analyser(listing(["images/good.jpg"]), hostile_folder)
    assert analyser.stats["analysed"] == 1 and results[0].logo_hits == ()


def test_damaged_cache_entry_is_a_miss(hostile_folder, index, tmp_path):
    cache = tmp_path / "cache"
    ImageAnalyser(index, ocr=False, cache_dir=cache)(listing(["images/good.jpg"]), hostile_folder)
    for entry in cache.rglob("*.json"):
        entry.write_text("{broken", encoding="utf-8")
    analyser = ImageAnalyser(index, ocr=False, cache_dir=cache)
    results = analyser(listing(["images/good.jpg"]), hostile_folder)
    assert analyser.stats["analysed"] == 1 and results[0].logo_hits


def test_reused_photo_is_recognised_across_listings(hostile_folder, logo_jpeg, tmp_path):
    from PIL import Image

    # Same photo re-encoded at another size: different bytes, same picture.
    image = Image.open(hostile_folder / "images" / "good.jpg").resize((640, 640))
    image.save(hostile_folder / "resized.jpg", quality=70)
    render_scene(SceneSpec(seed=123)).image.save(hostile_folder / "other.jpg")
    analyser = ImageAnalyser(None, ocr=False, cache_dir=tmp_path / "cache")
    analyser(listing(["images/good.jpg"], "A"), hostile_folder)
    analyser(listing(["resized.jpg", "other.jpg"], "B"), hostile_folder)
    groups = analyser.reused_photos()
    assert groups == [[(("demo-taobao", "A"), 0), (("demo-taobao", "B"), 0)]]


def test_urls_are_not_fetched_unless_allowed(tmp_path):
    results = analyse_listing_images(listing(["https://img.example/a.jpg", "ftp://x/y.jpg"]), tmp_path, ocr=False)
    assert [result.error.split(":")[0] for result in results] == ["not_fetched", "bad_scheme"]


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/missing":
            self.send_error(404)
            return
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/img.jpg")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(logo_jpeg):
    _Handler.body = logo_jpeg
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_loopback_address_refused_by_default(server):
    with pytest.raises(ImageFetchError, match="private_address"):
        fetch_image(f"{server}/img.jpg", FetchPolicy(allow_urls=True))


def test_fetch_when_allowed_follows_redirect_and_analyses(server, index, tmp_path):
    policy = FetchPolicy(allow_urls=True, allow_private=True)
    analyser = ImageAnalyser(index, ocr=False, fetch=policy, cache_dir=tmp_path / "cache")
    results = analyser(listing([f"{server}/redirect"]), tmp_path)
    assert results[0].error is None and [hit.mark_id for hit in results[0].logo_hits] == ["LOGO_X"]


def test_fetch_is_bounded_in_size(server):
    with pytest.raises(ImageFetchError, match="too_large"):
        fetch_image(f"{server}/img.jpg", FetchPolicy(allow_urls=True, allow_private=True, max_bytes=1000))


def test_text_boxes_come_from_ocr_when_enabled(tmp_path):
    from demo.imagery import PrintedText

    render_scene(SceneSpec(seed=31, text=PrintedText("奉上好品", size_fraction=0.08))).image.save(tmp_path / "t.jpg")
    results = ImageAnalyser(None, ocr=True, cache_dir=tmp_path / "cache")(listing(["t.jpg"]), tmp_path)
    assert any("奉上好品" in box.text for box in results[0].text_boxes)


def test_large_photo_is_analysed_reduced_but_boxes_are_in_original_pixels(logo, index, tmp_path):
    scene = render_scene(SceneSpec(seed=9, size=(2400, 2400), logo=logo,
                                   placement=LogoPlacement(width_fraction=0.25, centre=(0.6, 0.4))))
    (tmp_path / "big.jpg").write_bytes(scene.jpeg(85))
    result = ImageAnalyser(index, ocr=False, cache_dir=tmp_path / "cache")(listing(["big.jpg"]), tmp_path)[0]
    assert [hit.mark_id for hit in result.logo_hits] == ["LOGO_X"]
    x, y, width, height = result.logo_hits[0].bbox
    tx, ty, tw, th = scene.logo_bbox
    assert abs(x - tx) < 40 and abs(y - ty) < 40 and abs(width - tw) < 60 and abs(height - th) < 60


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "100.64.0.1", "[::1]", "[::ffff:10.0.0.1]"]
)
def test_non_public_addresses_are_refused_before_connecting(address):
    with pytest.raises(ImageFetchError, match="private_address"):
        fetch_image(f"http://{address}:9/x.jpg", FetchPolicy(allow_urls=True, timeout=2))


@pytest.mark.parametrize(("path", "code"), [("/missing", "http_error"), ("/loop", "too_many_redirects")])
def test_fetch_failures_are_reasons(server, path, code):
    with pytest.raises(ImageFetchError, match=code):
        fetch_image(f"{server}{path}", FetchPolicy(allow_urls=True, allow_private=True))


def test_unreachable_port_is_a_reason():
    with pytest.raises(ImageFetchError, match="fetch_failed"):
        fetch_image("http://127.0.0.1:9/x.jpg", FetchPolicy(allow_urls=True, allow_private=True, timeout=2))
