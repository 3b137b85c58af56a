"""The labelled dev set is well formed, reproducible, and its hand-written cases hold."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from matchers.pack import load_pack
from matchers.records import VIOLATION_CODES, Listing
from matchers.verdict import Judge
from matchers.vision_types import ImageAnalysis, LogoHit, TextBox

REPO = Path(__file__).resolve().parents[3]
DEVSET = REPO / "tests" / "fixtures" / "devset"


def rows(name: str) -> list[dict]:
    return [
        json.loads(line) for line in (DEVSET / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def all_rows() -> list[dict]:
    return rows("tune.jsonl") + rows("heldout.jsonl") + rows("handwritten.jsonl")


def test_other_brand_rows_are_contract_records():
    data = rows("other-brand.jsonl")
    assert len(data) >= 30 and len({row["id"] for row in data}) == len(data)
    assert {code for row in data for code in row["expected"]} >= {
        "MARK_UNAUTHORISED",
        "MARK_SIMILAR",
        "GI_FALSE_ORIGIN",
        "FALSE_AUTH_CLAIM",
        "FALSE_TRACE_CLAIM",
        "LICENCE_LAPSED",
        "OUT_OF_SCOPE",
    }
    for row in data:
        Listing.from_record(row["listing"])


def test_size_splits_and_every_code_in_both_parts():
    data = all_rows()
    assert len(data) >= 300
    for part in ("tune", "heldout"):
        in_part = [row for row in data if row["split"] == part]
        codes = {code for row in in_part for code in row["expected"]}
        assert codes == set(VIOLATION_CODES), part
        assert sum(1 for row in in_part if not row["expected"]) >= 50  # hard negatives
        assert len({row["listing"]["platform"] for row in in_part}) >= 5


def test_listings_are_contract_records_with_unique_ids():
    data = all_rows()
    assert len({row["listing"]["listing_id"] for row in data}) == len(data)
    for row in data:
        Listing.from_record(row["listing"])


def test_generator_reproduces_the_committed_files():
    spec = importlib.util.spec_from_file_location("devset_generate", DEVSET / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build("tune", 20261120) == rows("tune.jsonl")
    assert module.build("heldout", 77001) == rows("heldout.jsonl")


HANDWRITTEN = rows("handwritten.jsonl")


@pytest.fixture(scope="module")
def judge():
    return Judge(load_pack(REPO / "brandpacks" / "fengjie"))


def images_of(row: dict) -> tuple[ImageAnalysis, ...]:
    """The dev set's image analyses (logo hits and text boxes as a detector would report them)."""
    return tuple(
        ImageAnalysis(
            index=index,
            source=f"image-{index}",
            logo_hits=tuple(
                LogoHit(h["mark_id"], tuple(h["bbox"]), h["score"]) for h in image.get("logo_hits", [])
            ),
            text_boxes=tuple(
                TextBox(b["text"], tuple(b["bbox"]), b.get("confidence", 0.9))
                for b in image.get("text_boxes", [])
            ),
        )
        for index, image in enumerate(row.get("images", []))
    )


@pytest.mark.parametrize("row", HANDWRITTEN, ids=[row["why"] for row in HANDWRITTEN])
def test_handwritten_case(judge, row):
    finding = judge.judge(Listing.from_record(row["listing"]), images=images_of(row))
    assert sorted({v.code for v in finding.violations}) == row["expected"], [
        v.reason for v in finding.violations
    ]


OTHER_BRAND = rows("other-brand.jsonl")


@pytest.mark.parametrize("row", OTHER_BRAND, ids=[row["why"] for row in OTHER_BRAND])
def test_other_brand_case(row):
    judge = _other_judge(row["pack"])
    finding = judge.judge(Listing.from_record(row["listing"]))
    assert sorted({v.code for v in finding.violations}) == row["expected"], [
        v.reason for v in finding.violations
    ]


_JUDGES: dict[str, Judge] = {}


def _other_judge(pack: str) -> Judge:
    if pack not in _JUDGES:
        _JUDGES[pack] = Judge(load_pack(REPO / pack))
    return _JUDGES[pack]
