"""Claim phrases: found in any written form, longest phrase kept, disclaimers ignored."""

from __future__ import annotations

import pytest

from matchers.claims import ClaimFinder
from matchers.pack import Claims

FINDER = ClaimFinder(
    Claims(
        authorisation=("官方授权", "授权店", "品牌授权"),
        traceability=("一码溯源", "溯源码", "渝溯源"),
        origin=("地理标志", "国家地理标志", "原产地"),
    )
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("官方授权", [("authorisation", "官方授权")]),
        ("官 方 授 权", [("authorisation", "官 方 授 权")]),
        ("官方授權", [("authorisation", "官方授權")]),  # traditional form
        ("官方授权店", [("authorisation", "官方授权"), ("authorisation", "授权店")]),
        ("国家地理标志产品", [("origin", "国家地理标志")]),  # the longer phrase, not also 地理标志
        ("渝溯源 一码溯源", [("traceability", "渝溯源"), ("traceability", "一码溯源")]),
        ("扫描溯源码", [("traceability", "溯源码")]),
        ("非官方授权", []),
        ("本店未 授权店", []),
        ("不是品牌授权", []),
        ("授 权", []),
        ("严禁官方授权以外渠道", []),
        ("", []),
        ("新鲜脐橙", []),
    ],
)
def test_find(text, expected):
    hits = FINDER.find(text, field="title")
    assert [(hit.kind, hit.matched) for hit in hits] == expected
    for hit in hits:
        assert text[hit.span[0] : hit.span[1]] == hit.matched and hit.field == "title"


def test_none_text():
    assert FINDER.find(None, field="description") == []
