"""`haopin scan --db`: findings from a JSONL file become cases, and scanning the file again adds none."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from cases.db import open_session_factory
from cases.models import Case, Listing
from crawler.cli import main

PACK = Path(__file__).resolve().parents[2] / "brandpacks" / "fengjie"


def listing(listing_id: str, title: str, seller: str) -> str:
    return json.dumps({
        "platform": "demo-jd", "listing_id": listing_id, "url": f"https://demo.test/item/{listing_id}",
        "title": title, "captured_at": "2026-11-20T10:00:00+08:00",
        "seller": {"id": seller, "name": f"{seller}的小店"}, "ship_from": "江西 赣州",
    }, ensure_ascii=False)


def test_scan_db_opens_cases_once(tmp_path, capsys):
    source = tmp_path / "listings.jsonl"
    source.write_text("\n".join([
        listing("1", "奉上好品 腊肉 正宗", "s-a"),      # exact word mark, unauthorised seller
        listing("2", "奉尚好品 蜂蜜", "s-b"),            # homophone
        listing("3", "新鲜橙子 10斤", "s-c"),            # clean, stored as a listing but no case
    ]) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    for opened in (2, 0):
        status = main(["scan", "--brand-pack", str(PACK), "--input", str(source),
                       "--output", str(tmp_path / "findings.jsonl"), "--no-images", "--db", url])
        assert status == 0
        assert f"3 listing(s) stored, {opened} case(s) opened" in capsys.readouterr().err
    with open_session_factory(url)() as session:
        codes = sorted(session.scalars(select(Case.code)))
        assert codes == ["MARK_SIMILAR", "MARK_UNAUTHORISED"]
        assert session.scalar(select(func.count()).select_from(Listing)) == 3
