"""`haopin scan` end to end: order, rejects, exit codes, schema, the image seam."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from crawler.cli import main
from crawler.scanning import Scanner, rejects_path_for
from matchers.pack import load_pack
from matchers.vision_types import ImageAnalysis, LogoHit

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "brandpacks" / "fengjie"


def record(listing_id, title, **fields):
    data = {
        "platform": "demo-taobao",
        "listing_id": str(listing_id),
        "url": f"https://demo/item/{listing_id}",
        "title": title,
        "captured_at": "2026-11-20T10:00:00+08:00",
        "seller": {"id": f"s{listing_id}", "name": "果园直发店"},
        "ship_from": "江西 赣州",
    }
    data.update(fields)
    return json.dumps(data, ensure_ascii=False)


def write_lines(path: Path, lines: list[str | bytes]) -> Path:
    with path.open("wb") as handle:
        for line in lines:
            handle.write(line if isinstance(line, bytes) else line.encode("utf-8"))
            handle.write(b"\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def scan(tmp_path, lines, capsys=None):
    source = write_lines(tmp_path / "listings.jsonl", lines)
    output = tmp_path / "findings.jsonl"
    status = main(["scan", "--brand-pack", str(PACK), "--input", str(source), "--output", str(output)])
    return status, output


def test_all_valid_exit_zero_order_and_schema(tmp_path, contract_schemas):
    titles = ["奉节脐橙 5斤", "新鲜橙子", "奉上好品 腊肉", "奉尚好品 蜂蜜", "赣南脐橙", "奉节脐橙 官方授权"]
    status, output = scan(tmp_path, [record(n, t) for n, t in enumerate(titles)])
    assert status == 0
    findings = read_jsonl(output)
    assert [f["listing_id"] for f in findings] == [str(n) for n in range(len(titles))]
    for finding in findings:
        jsonschema.validate(finding, contract_schemas["finding"])
    codes = [{v["code"] for v in f["violations"]} for f in findings]
    assert codes == [
        {"GI_FALSE_ORIGIN"},
        set(),
        {"MARK_UNAUTHORISED"},
        {"MARK_SIMILAR"},
        set(),
        {"GI_FALSE_ORIGIN", "FALSE_AUTH_CLAIM"},
    ]
    assert not rejects_path_for(output).exists()


def test_rejects_are_reported_and_good_lines_kept(tmp_path, capsys):
    lines = [
        record(1, "奉节脐橙"),
        "{not json",
        record(3, "奉上好品"),
        json.dumps(
            {
                "platform": "demo-jd",
                "listing_id": "4",
                "url": "u",
                "title": 4,
                "captured_at": "2026-11-20T10:00:00+08:00",
            }
        ),
        b'{"title": "\xff\xfe"}',
        json.dumps({"platform": "demo-jd", "listing_id": "6", "url": "u", "title": "t"}),
        "",
        "[1, 2]",
        record(9, "赣南脐橙"),
        json.dumps(
            {"platform": "demo-jd", "listing_id": "10", "url": "u", "title": "t", "captured_at": "2026-11-20"}
        ),
    ]
    status, output = scan(tmp_path, lines)
    assert status == 3
    assert [f["listing_id"] for f in read_jsonl(output)] == ["1", "3", "9"]
    rejects = read_jsonl(rejects_path_for(output))
    assert [r["line"] for r in rejects] == [2, 4, 5, 6, 8, 10]
    reasons = {r["line"]: r["reason"] for r in rejects}
    assert "not valid JSON" in reasons[2]
    assert "title" in reasons[4] and "string" in reasons[4]
    assert "not UTF-8" in reasons[5]
    assert "captured_at" in reasons[6] and "required" in reasons[6]
    assert "JSON object" in reasons[8]
    assert "UTC offset" in reasons[10]
    assert rejects[0]["raw"] == "{not json"
    assert "\\xff" in rejects[2]["raw"]
    err = capsys.readouterr().err
    for line in (2, 4, 5, 6, 8, 10):
        assert f"line {line}:" in err


def test_stale_rejects_file_is_removed(tmp_path):
    scan(tmp_path, ["{bad"])
    output = tmp_path / "findings.jsonl"
    assert rejects_path_for(output).exists()
    status, _ = scan(tmp_path, [record(1, "奉节脐橙")])
    assert status == 0 and not rejects_path_for(output).exists()


def test_broken_pack_is_a_usage_error_and_lists_problems(tmp_path, capsys):
    source = write_lines(tmp_path / "in.jsonl", [record(1, "奉节脐橙")])
    broken = REPO / "tests" / "fixtures" / "packs" / "bad-licensees"
    status = main(
        ["scan", "--brand-pack", str(broken), "--input", str(source), "--output", str(tmp_path / "o.jsonl")]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "licensees.csv: line 2, column uscc" in err
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--input", "missing.jsonl"], "no such file"),
        (["--output", "no/such/dir/out.jsonl"], "does not exist"),
    ],
)
def test_usage_errors(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    write_lines(tmp_path / "in.jsonl", [record(1, "x")])
    argv = {"--brand-pack": str(PACK), "--input": "in.jsonl", "--output": "out.jsonl"}
    argv.update(dict(zip(args[::2], args[1::2], strict=True)))
    status = main(["scan", *[part for pair in argv.items() for part in pair]])
    assert status == 2 and message in capsys.readouterr().err


def test_listings_with_images_scan_without_analysis(tmp_path):
    status, output = scan(tmp_path, [record(1, "奉节脐橙", images=["images/1-0.jpg", "https://img/x.jpg"])])
    assert status == 0 and read_jsonl(output)[0]["violations"][0]["code"] == "GI_FALSE_ORIGIN"


def test_image_seam_receives_listing_and_base_dir(tmp_path):
    from matchers.records import Listing

    calls = []

    def analyse(listing, base_dir):
        calls.append((listing.listing_id, base_dir))
        return [
            ImageAnalysis(
                index=0, source=listing.images[0], logo_hits=(LogoHit("LOGO_MAIN", (0, 0, 10, 10), 0.9),)
            )
        ]

    scanner = Scanner(load_pack(PACK), analyse_images=analyse)
    item = Listing.from_record(json.loads(record(7, "新鲜脐橙", images=["images/7.jpg"])))
    finding = scanner.scan(item, tmp_path)
    assert calls == [("7", tmp_path)]
    assert [v.code for v in finding.violations] == ["LOGO_UNAUTHORISED"]
    assert finding.violations[0].evidence.field == "image:0"
    no_images = Listing.from_record(json.loads(record(8, "新鲜脐橙")))
    scanner.scan(no_images, tmp_path)
    assert len(calls) == 1  # a listing without images is not sent for analysis


def test_real_process_exit_code_and_stderr(tmp_path):
    source = write_lines(tmp_path / "in.jsonl", [record(1, "奉节脐橙"), "oops"])
    output = tmp_path / "out.jsonl"
    haopin = Path(sys.executable).with_name("haopin")
    result = subprocess.run(
        [str(haopin), "scan", "--brand-pack", str(PACK), "--input", str(source), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert "line 2: not valid JSON" in result.stderr
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal
    assert len(read_jsonl(output)) == 1


def test_failing_image_analysis_falls_back_to_text(tmp_path):
    from matchers.records import Listing

    def analyse(listing, base_dir):
        raise OSError("disk on fire")

    scanner = Scanner(load_pack(PACK), analyse_images=analyse)
    item = Listing.from_record(json.loads(record(7, "奉节脐橙", images=["images/7.jpg"])))
    finding = scanner.scan(item, tmp_path)
    assert [v.code for v in finding.violations] == ["GI_FALSE_ORIGIN"]
    assert scanner.image_failures == 1 and "disk on fire" in scanner.last_image_failure


def test_on_finding_sees_every_listing_in_order(tmp_path):
    from crawler.scanning import scan_stream

    source = write_lines(tmp_path / "in.jsonl", [record(1, "奉节脐橙"), "bad", record(3, "新鲜橙子")])
    seen = []
    summary = scan_stream(
        Scanner(load_pack(PACK)),
        source,
        tmp_path / "out.jsonl",
        report=lambda message: None,
        on_finding=lambda listing, finding: seen.append(
            (listing.listing_id, finding.listing_id, len(finding.violations))
        ),
    )
    assert seen == [("1", "1", 1), ("3", "3", 0)]
    assert (summary.scanned, summary.flagged, summary.rejected) == (2, 1, 1)


def test_overlong_line_is_rejected_without_reading_it_whole(tmp_path, monkeypatch):
    import crawler.scanning as scanning

    monkeypatch.setattr(scanning, "MAX_LINE_BYTES", 1000)
    long_title = "奉" * 2000
    status, output = scan(tmp_path, [record(1, "奉节脐橙"), record(2, long_title), record(3, "新鲜橙子")])
    assert status == 3
    assert [f["listing_id"] for f in read_jsonl(output)] == ["1", "3"]
    (reject,) = read_jsonl(rejects_path_for(output))
    assert reject["line"] == 2 and "longer than 1000 bytes" in reject["reason"]


def test_crlf_and_bom_input(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b"\xef\xbb\xbf" + record(1, "奉节脐橙").encode() + b"\r\n" + record(2, "x").encode() + b"\r\n"
    )
    output = tmp_path / "out.jsonl"
    status = main(["scan", "--brand-pack", str(PACK), "--input", str(source), "--output", str(output)])
    assert status == 0 and [f["listing_id"] for f in read_jsonl(output)] == ["1", "2"]


@pytest.mark.parametrize(
    "platform, listing_id, licensee_id",
    [("demo-jd", "1", None), ("demo-淘宝", '引号"和\\反斜杠', "FJ-L001"), ("p", "\u2028", "x")],
)
def test_fast_clean_line_equals_generic_encoding(platform, listing_id, licensee_id):
    from crawler.scanning import finding_line
    from matchers.records import Finding

    finding = Finding(platform, listing_id, (), 0.0, licensee_id)
    generic = json.dumps(finding.to_record(), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert finding_line(finding) == generic
