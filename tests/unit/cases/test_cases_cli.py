"""`haopin cases …` as an officer uses it: readable Chinese output, every change audited, bad moves refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cases.models import Case, CaseEvent
from cases.store import record_batch
from cases.testing import make_finding, make_listing
from crawler.cli import main

WEEK48 = "2026-11-27T10:00:00+08:00"  # Friday of ISO week 2026-W48


@pytest.fixture
def seeded(Session, db_url):
    taobao = make_listing("8812734", captured_at=WEEK48)
    jd = make_listing(
        "55",
        platform="demo-jd",
        seller_id="jd-1",
        seller_name="鲜橙小铺",
        captured_at="2026-11-18T09:00:00+08:00",
    )
    with Session.begin() as session:
        record_batch(
            session,
            [
                (taobao, make_finding(taobao, ("GI_FALSE_ORIGIN", "FJQC", 0.93))),
                (jd, make_finding(jd, ("MARK_SIMILAR", "FSHP", 0.6))),
            ],
        )
    with Session() as session:
        ids = {case.code: case.id for case in session.scalars(select(Case))}
    return db_url, ids


def haopin(db_url, *args):
    return main(["cases", "--db", db_url, *args])


def test_list_shows_chinese_labels_and_filters(seeded, capsys):
    db_url, ids = seeded
    assert haopin(db_url, "list") == 0
    out = capsys.readouterr().out
    assert "地理标志产地不符" in out and "新发现" in out and "果园直发店" in out
    assert "屡犯" not in out
    assert haopin(db_url, "list", "--week", "2026-W48", "--json") == 0
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == [ids["GI_FALSE_ORIGIN"]]
    assert haopin(db_url, "list", "--platform", "demo-jd", "--json") == 0
    assert [row["code"] for row in json.loads(capsys.readouterr().out)] == ["MARK_SIMILAR"]
    assert haopin(db_url, "list", "--min-risk", "0.9", "--json") == 0
    assert [row["code"] for row in json.loads(capsys.readouterr().out)] == ["GI_FALSE_ORIGIN"]
    assert haopin(db_url, "list", "--seller", "鲜橙", "--json") == 0
    assert [row["code"] for row in json.loads(capsys.readouterr().out)] == ["MARK_SIMILAR"]
    assert haopin(db_url, "list", "--code", "mark_similar", "--status", "triaged") == 0
    assert "没有符合条件的案件" in capsys.readouterr().out


def test_bad_filter_is_a_usage_error(seeded, capsys):
    db_url, _ = seeded
    assert haopin(db_url, "list", "--week", "2026-48") == 2
    assert "2026-W48" in capsys.readouterr().err
    assert haopin(db_url, "list", "--status", "closed") == 2
    assert "unknown status 'closed'" in capsys.readouterr().err


def test_workflow_through_the_cli_leaves_an_audit_trail(seeded, Session, capsys):
    db_url, ids = seeded
    case = str(ids["GI_FALSE_ORIGIN"])
    assert haopin(db_url, "assign", case, "李四", "--by", "王科长") == 0
    assert haopin(db_url, "set-status", case, "triaged", "--by", "李四") == 0
    assert haopin(db_url, "note", case, "已截图留存", "--by", "李四") == 0
    capsys.readouterr()
    assert haopin(db_url, "set-status", case, "removed", "--by", "李四") == 2
    err = capsys.readouterr().err
    assert "不能改为 已下架 (removed)" in err
    assert (
        "已确认侵权 (confirmed)" in err
        and "已排除（误报） (dismissed)" in err
        and "已立案 (escalated)" in err
    )
    with Session() as session:
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == int(case)).order_by(CaseEvent.id)
        ).all()
        assert [(e.kind, e.actor, e.from_status, e.to_status) for e in events] == [
            ("opened", "haopin", None, "new"),
            ("assign", "王科长", None, None),
            ("status", "李四", "new", "triaged"),
            ("note", "李四", None, None),
        ]
        assert session.get(Case, int(case)).assignee == "李四"
    assert haopin(db_url, "show", case) == 0
    out = capsys.readouterr().out
    assert "已截图留存" in out and "李四" in out and "已初筛 (triaged)" in out
    assert "https://demo-taobao.example/item/8812734" in out and "可变更为" in out


def test_dismiss_needs_a_reason(seeded, capsys):
    db_url, ids = seeded
    case = str(ids["MARK_SIMILAR"])
    assert haopin(db_url, "set-status", case, "dismissed", "--by", "李四") == 2
    assert "理由" in capsys.readouterr().err
    assert (
        haopin(db_url, "set-status", case, "dismissed", "--by", "李四", "--note", "店名恰好相似，非侵权") == 0
    )
    assert "白名单" in capsys.readouterr().out
    assert haopin(db_url, "set-status", case, "triaged", "--by", "李四") == 2
    assert "已结案" in capsys.readouterr().err


def test_unknown_case_is_a_usage_error(seeded, capsys):
    db_url, _ = seeded
    assert haopin(db_url, "show", "99999") == 2
    assert "99999" in capsys.readouterr().err


def test_allowlist_lists_and_revokes(seeded, capsys):
    db_url, ids = seeded
    case = str(ids["MARK_SIMILAR"])
    assert haopin(db_url, "set-status", case, "dismissed", "--by", "李四", "--note", "店名相似，非侵权") == 0
    capsys.readouterr()
    assert haopin(db_url, "allowlist") == 0
    out = capsys.readouterr().out
    assert "demo-jd:55" in out and "近似标识" in out and "店名相似，非侵权" in out
    entry = out.splitlines()[2].split()[0].lstrip("#")
    assert haopin(db_url, "allowlist", "--revoke", entry, "--by", "王科长") == 2
    assert "reason" in capsys.readouterr().err
    assert haopin(db_url, "allowlist", "--revoke", entry, "--by", "王科长", "--note", "复核后确认侵权") == 0
    assert "再次被标记" in capsys.readouterr().out
    assert haopin(db_url, "allowlist") == 0
    assert "白名单为空" in capsys.readouterr().out
    assert haopin(db_url, "allowlist", "--all") == 0
    assert "已撤销" in capsys.readouterr().out
    assert haopin(db_url, "show", case) == 0
    assert "撤销白名单" in capsys.readouterr().out


def test_list_marks_repeat_infringers_and_relistings(seeded, Session, capsys):
    db_url, ids = seeded
    case = str(ids["GI_FALSE_ORIGIN"])
    for status in ("escalated", "removed"):
        assert haopin(db_url, "set-status", case, status, "--by", "李四") == 0
    again = make_listing("8812734", captured_at="2026-12-04T10:00:00+08:00")
    with Session.begin() as session:
        record_batch(session, [(again, make_finding(again, ("GI_FALSE_ORIGIN", "FJQC")))])
    capsys.readouterr()
    assert haopin(db_url, "list", "--open") == 0
    out = capsys.readouterr().out
    assert f"重新上架(原#{case})" in out and "屡犯(2案)" in out


def test_unseen_days_finds_cases_whose_listings_stopped_appearing(Session, db_url, capsys):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    gone = make_listing("1", seller_id="a", captured_at=(now - timedelta(days=10)).isoformat())
    still_there = make_listing("2", seller_id="b", captured_at=(now - timedelta(hours=1)).isoformat())
    with Session.begin() as session:
        record_batch(
            session, [(x, make_finding(x, ("GI_FALSE_ORIGIN", "FJQC"))) for x in (gone, still_there)]
        )
    assert haopin(db_url, "list", "--unseen-days", "7", "--json") == 0
    assert [row["seller"]["shop_key"] for row in json.loads(capsys.readouterr().out)] == ["a"]
    assert haopin(db_url, "list", "--unseen-days", "0") == 2


def test_hostile_page_text_cannot_drive_the_terminal(Session, db_url, capsys):
    """A title with an escape sequence, a bidi override and a fake line break is shown, not obeyed."""
    title = "奉节脐橙\x1b[2J\u202e伪造\n#999 已下架"
    hostile = make_listing("x1", title=title, seller_name="店\x07铺\u200d名", captured_at=WEEK48)
    with Session.begin() as session:
        [case_id] = record_batch(
            session, [(hostile, make_finding(hostile, ("GI_FALSE_ORIGIN", "FJQC")))]
        ).opened_case_ids
    for args in (["list"], ["show", str(case_id)]):
        assert haopin(db_url, *args) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out and "\u200d" not in out
        assert "\\u200d" in out  # the zero-width joiner, a favourite for disguising marks, is made visible
    assert "奉节脐橙\\u001b[2J\\u202e伪造\\u000a#999 已下架" in out
