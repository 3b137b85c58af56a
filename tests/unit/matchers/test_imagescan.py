"""`haopin scan` with listing images: a pasted pack logo and printed mark text are reported
with `image:<index>` evidence, hostile files in the same listing do not stop the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from crawler.cli import main
from demo.imagery import LogoPlacement, PrintedText, SceneSpec, render_scene

REPO = Path(__file__).resolve().parents[3]
PACK = REPO / "brandpacks" / "fengjie"


def listing(listing_id: str, images: list[str]) -> str:
    return json.dumps({
        "platform": "demo-taobao", "listing_id": listing_id, "url": f"https://demo/item/{listing_id}",
        "title": "新鲜橙子 5斤装", "captured_at": "2026-11-20T10:00:00+08:00",
        "seller": {"id": f"s{listing_id}", "name": "果园直发店"}, "ship_from": "江西 赣州", "images": images,
    }, ensure_ascii=False)


@pytest.fixture
def listings(tmp_path, monkeypatch):
    monkeypatch.setenv("HAOPIN_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "images"
    folder.mkdir()
    logo = Image.open(PACK / "logos" / "fshp-logo.png")
    (folder / "logo.jpg").write_bytes(
        render_scene(SceneSpec(seed=41, logo=logo, placement=LogoPlacement(width_fraction=0.25, angle=7))).jpeg(80))
    (folder / "text.jpg").write_bytes(render_scene(SceneSpec(seed=42, text=PrintedText("奉上好品"))).jpeg(85))
    (folder / "clean.jpg").write_bytes(render_scene(SceneSpec(seed=43)).jpeg(85))
    (folder / "fake.jpg").write_text("<html>not an image</html>", encoding="utf-8")
    lines = [
        listing("1", ["images/fake.jpg", "images/logo.jpg"]),
        listing("2", ["images/clean.jpg", "images/text.jpg", "https://img.example/x.jpg"]),
        listing("3", ["images/clean.jpg"]),
    ]
    source = tmp_path / "listings.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def run_scan(source: Path, *extra: str) -> list[dict]:
    output = source.with_name("findings.jsonl")
    assert main(["scan", "--brand-pack", str(PACK), "--input", str(source), "--output", str(output), *extra]) == 0
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_logo_and_text_in_images_are_findings(listings):
    first, second, third = run_scan(listings)
    logo = [v for v in first["violations"] if v["code"] == "LOGO_UNAUTHORISED"]
    assert logo and logo[0]["evidence"]["field"] == "image:1" and len(logo[0]["evidence"]["bbox"]) == 4
    text = [v for v in second["violations"] if v["evidence"]["field"] == "image:1"]
    assert text and text[0]["code"] == "MARK_UNAUTHORISED" and text[0]["evidence"]["matched"] == "奉上好品"
    assert third["violations"] == []


def test_no_images_flag_leaves_images_unread(listings):
    findings = run_scan(listings, "--no-images")
    assert all(not v["evidence"]["field"].startswith("image:") for f in findings for v in f["violations"])


def test_no_ocr_still_finds_logos_but_not_text(listings):
    first, second, _third = run_scan(listings, "--no-ocr")
    assert any(v["code"] == "LOGO_UNAUTHORISED" for v in first["violations"])
    assert not any(v["evidence"]["field"].startswith("image:") for v in second["violations"])


def test_second_scan_is_served_from_the_image_cache(listings, tmp_path):
    run_scan(listings, "--no-ocr")
    cached = sorted((tmp_path / "data" / "image-cache").rglob("*.json"))
    assert len(cached) == 3  # logo.jpg, text.jpg, clean.jpg (clean.jpg once although used twice)
    before = [path.stat().st_mtime_ns for path in cached]
    assert run_scan(listings, "--no-ocr")[0]["violations"]
    assert [path.stat().st_mtime_ns for path in cached] == before


def test_pack_logo_too_plain_to_recognise_is_a_usage_error(listings, tmp_path, capsys):
    import shutil

    from PIL import ImageDraw

    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    plain = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    ImageDraw.Draw(plain).ellipse((8, 8, 248, 248), fill=(230, 120, 20, 255))
    plain.save(pack / "logos" / "fshp-logo.png")
    output = tmp_path / "out.jsonl"
    status = main(["scan", "--brand-pack", str(pack), "--input", str(listings), "--output", str(output)])
    assert status == 2
    assert "LOGO_MAIN" in capsys.readouterr().err
