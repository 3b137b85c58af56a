"""Report queries on a real (temporary, Alembic-migrated) case database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html

from cases.db import migrate, session_factory
from cases.models import Case, CaseEvent
from cases.reporting import (
    CaseNotFound,
    IsoWeek,
    ReportContext,
    case_dossier,
    case_notice,
    export_cases,
    weekly_report,
)
from cases.store import record_batch
from cases.testing import postgres_test_url, temporary_database
from cases.workflow import set_status
from matchers.pack import load_pack
from matchers.records import Evidence, Finding, Listing, Seller, Violation
from reports.render import render_dossier_html, render_notice_html, render_weekly_html
from reports.sampledb import populate
from reports.testing import assert_inert_html

PACK = Path(__file__).resolve().parents[3] / "brandpacks" / "fengjie"
W48 = IsoWeek.parse("2026-W48")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def pair(listing_id, platform, seller, code, mark, seen, score, title="奉上好吕 脐橙 5斤装", company=None):
    listing = Listing(
        platform=platform, listing_id=listing_id, url=f"https://{platform}.test/item/{listing_id}", title=title,
        captured_at=seen, seller=Seller(id=seller, name=f"{seller}店", company=company), ship_from="江西 赣州",
    )
    violation = Violation(code, mark, score, f"{code} 理由", Evidence("title", (0, 4), title[:4]), "《商标法》第五十七条")
    return listing, Finding(platform, listing_id, (violation,), score, None)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh database on each backend (PostgreSQL when HAOPIN_TEST_DATABASE_URL is set)."""
    if request.param == "postgresql" and postgres_test_url() is None:
        pytest.skip("HAOPIN_TEST_DATABASE_URL is not set: PostgreSQL run skipped")
    with temporary_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url):
    url = database_url
    migrate(url)
    factory = session_factory(url)
    with factory.begin() as session:
        record_batch(session, [
            pair("1", "demo-taobao", "A", "MARK_SIMILAR", "FSHP", "2026-11-24T10:00:00+08:00", 0.8, company="甲公司"),
            pair("2", "demo-jd", "B", "GI_FALSE_ORIGIN", "FJQC", "2026-11-17T10:00:00+08:00", 0.7, "奉节脐橙 赣州发货"),
            pair("3", "demo-taobao", "C", "MARK_UNAUTHORISED", "FSHP", "2026-11-10T10:00:00+08:00", 0.9),
            pair("4", "demo-taobao", "A", "FALSE_AUTH_CLAIM", "FSHP", "2026-11-25T10:00:00+08:00", 0.99, company="甲公司"),
            pair("5", "demo-jd", "A2", "MARK_SIMILAR", "FSHP", "2026-11-26T10:00:00+08:00", 0.6, company="甲公司"),
            # 00:30 on Monday in China is still Sunday in UTC: it belongs to week 48.
            pair("6", "demo-douyin", "E", "MARK_SIMILAR", "FSHP", "2026-11-23T00:30:00+08:00", 0.5),
        ])
    with factory.begin() as session:
        by_listing = {case.listings[0].listing.external_id: case for case in session.query(Case)}
        moves = {"2": ("2026-11-25T09:00:00+08:00", ["triaged", "confirmed", "notice_sent", "removed"]),
                 "3": ("2026-11-12T09:00:00+08:00", ["dismissed"])}
        for listing_id, (when, path) in moves.items():
            case = by_listing[listing_id]
            for status in path:
                event = set_status(session, case, status, actor="王警官", note="误报" if status == "dismissed" else None)
                event.at = datetime.fromisoformat(when)
            case.closed_at = datetime.fromisoformat(when)
        ids = {listing_id: case.id for listing_id, case in by_listing.items()}
    return factory, ids


@pytest.fixture
def ctx(tmp_path):
    return ReportContext.for_pack(load_pack(PACK), evidence_root=tmp_path, now=NOW)


def test_week_figures_against_last_week(db, ctx):
    factory, _ = db
    with factory() as session:
        report = weekly_report(session, W48, ctx)
    totals = report.totals
    assert report.total_cases == 6  # every case opened before the week ended
    assert (totals.new, totals.open, totals.closed) == (4, 4, 1)
    assert (totals.new_previous, totals.open_previous, totals.closed_previous) == (1, 1, 0)
    platforms = {row.key: row for row in report.by_platform}
    assert (platforms["demo-taobao"].new, platforms["demo-jd"].new, platforms["demo-jd"].closed) == (2, 1, 1)
    assert platforms["demo-jd"].new_previous == 1
    codes = {row.key: row for row in report.by_code}
    assert codes["MARK_SIMILAR"].new == 3 and codes["MARK_SIMILAR"].label == "近似标识"
    assert [point.week for point in report.trend][-2:] == ["2026-W47", "2026-W48"]
    assert len(report.trend) == 12
    assert (report.trend[-1].new, report.trend[-1].closed, report.trend[-1].open) == (4, 1, 4)


def test_case_list_sorted_by_risk_with_status_at_week_end(db, ctx):
    factory, ids = db
    with factory() as session:
        this_week = weekly_report(session, W48, ctx)
        last_week = weekly_report(session, W48.shifted(-1), ctx)
    assert [case.case_id for case in this_week.cases] == [ids[i] for i in ("4", "1", "2", "5", "6")]
    assert ids["3"] not in [case.case_id for case in this_week.cases]  # dismissed two weeks earlier
    statuses = {case.case_id: case.status for case in this_week.cases}
    assert statuses[ids["2"]] == "removed"
    # A past week is reproduced from the event history, not from today's status.
    assert {case.case_id: case.status for case in last_week.cases}[ids["2"]] == "new"
    first = this_week.cases[0]
    assert first.comparison.registered_text == "奉上好品" and first.comparison.matched.hit == "奉上好吕"
    assert first.comparison.registration.startswith("第")


def test_linked_shops_make_a_repeat_infringer(db, ctx):
    factory, ids = db
    with factory() as session:
        report = weekly_report(session, W48, ctx)
    assert len(report.infringers) == 1
    infringer = report.infringers[0]
    assert infringer.case_count == 3 and infringer.open_count == 3
    assert set(infringer.platforms) == {"demo-taobao", "demo-jd"}
    assert {case.case_id: case.repeat_count for case in report.cases}[ids["5"]] == 3


def test_dossier_and_notice_of_a_case(db, ctx):
    factory, ids = db
    with factory() as session:
        dossier = case_dossier(session, ids["2"], ctx)
        notice = case_notice(session, ids["2"], ctx, template="jd")
        with pytest.raises(CaseNotFound):
            case_dossier(session, 999, ctx)
    assert [event.to_status for event in dossier.events if event.kind == "状态变更"] == [
        "triaged", "confirmed", "notice_sent", "removed"]
    assert dossier.sightings and dossier.sightings[0].content_sha256
    assert notice.template.listing_id_label == "商品SKU"
    assert notice.registrations[0].registration.startswith("地理标志证明商标")
    assert "奉节脐橙" in lxml_html.document_fromstring(render_notice_html(notice)).text_content()


def test_export_filters_and_orders_by_risk(db, ctx):
    factory, ids = db
    with factory() as session:
        everything = export_cases(session, ctx)
        removed = export_cases(session, ctx, statuses=["removed"])
        jd = export_cases(session, ctx, platforms=["demo-jd"])
    assert [case.risk for case in everything] == sorted((case.risk for case in everything), reverse=True)
    assert len(everything) == 6
    assert [case.case_id for case in removed] == [ids["2"]]
    assert {case.case_id for case in jd} == {ids["2"], ids["5"]}


def test_iso_week_parsing_and_bounds():
    assert IsoWeek.parse("2026-w48") == IsoWeek(2026, 48) == IsoWeek.parse("2026W48")
    assert IsoWeek.parse("2026-W01").shifted(-1).label == "2025-W52"
    assert (W48.start.isoformat(), W48.end.isoformat()) == ("2026-11-23", "2026-11-29")
    for bad in ("2026-48", "W48", "2026-W54", "2025-W53"):
        with pytest.raises(ValueError, match="ISO week|has no week"):
            IsoWeek.parse(bad)


def test_a_hostile_database_renders_inert_reports_with_evidence_images(database_url, tmp_path):
    url = database_url
    populate(url, tmp_path, week=W48, cases=40, hostile=True, evidence_for=6)
    ctx = ReportContext.for_pack(load_pack(PACK), evidence_root=tmp_path, now=NOW)
    factory = session_factory(url)
    with factory() as session:
        report = weekly_report(session, W48, ctx, detail_limit=40)
        captured = [case for case in report.cases if case.evidence]
        dossier = case_dossier(session, captured[0].case_id, ctx)
        logo_case = next(c for c in export_cases(session, ctx) if c.code == "LOGO_UNAUTHORISED" and c.evidence)
        logo_dossier = case_dossier(session, logo_case.case_id, ctx)
    html = render_weekly_html(report)
    assert_inert_html(html)
    assert "<script>" in lxml_html.document_fromstring(html).text_content()  # present, as text
    assert captured and all(case.thumbnail for case in captured)
    assert_inert_html(render_dossier_html(dossier))
    assert dossier.captures[0].screenshot and dossier.captures[0].manifest_sha256
    assert ("browser", "Chromium 131.0.6778.139") in dossier.captures[0].tools
    comparison = logo_dossier.case.comparison
    assert comparison.logo_crop is not None and comparison.registered_logo is not None
    with factory() as session:
        events = session.query(CaseEvent).count()
    assert events > 0


def test_logo_crop_from_the_image_store_uses_x_y_width_height(tmp_path):
    """No evidence capture yet: the crop comes from the crawl's image store, found from the record's path."""
    import base64
    import io

    from PIL import Image

    photo = Image.new("RGB", (300, 200), "white")
    photo.paste((200, 0, 0), (50, 60, 110, 100))  # a 60x40 red box at (50, 60)
    (tmp_path / "images" / "ab").mkdir(parents=True)
    photo.save(tmp_path / "images" / "ab" / "ab12.png")
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    migrate(url)
    factory = session_factory(url)
    listing = Listing(
        platform="demo-jd", listing_id="9", url="https://demo-jd.test/item/9", title="腊肉 礼盒",
        captured_at="2026-11-24T10:00:00+08:00", seller=Seller(id="s9", name="某店"),
        images=("../../../images/ab/ab12.png",),  # relative to a run folder's listings.jsonl
    )
    violation = Violation("LOGO_UNAUTHORISED", "LOGO_MAIN", 0.9, "主图含注册图形",
                          Evidence("image:0", bbox=(50, 60, 60, 40), distance=4.0), "《商标法》第五十七条")
    with factory.begin() as session:
        case_id = record_batch(session, [(listing, Finding("demo-jd", "9", (violation,), 0.9, None))]).opened_case_ids[0]
    ctx = ReportContext.for_pack(load_pack(PACK), evidence_root=tmp_path, now=NOW)
    with factory() as session:
        comparison = case_dossier(session, case_id, ctx).case.comparison
    crop = comparison.logo_crop
    assert (crop.width, crop.height) == (60, 40)
    pixels = Image.open(io.BytesIO(base64.b64decode(crop.data_uri.partition(",")[2]))).convert("RGB")
    assert pixels.getpixel((0, 0)) == pixels.getpixel((59, 39)) == (200, 0, 0)  # all red: exactly the box
    assert comparison.registered_logo is not None and comparison.evidence_label == "商品图片 1"
    with factory() as session:
        notice = case_notice(session, case_id, ctx, template="generic")
    # The bundled logo has no registration of its own: cited once, as part of the word mark's.
    assert [(r.mark_id, r.registered_text) for r in notice.registrations] == [
        ("FSHP", "奉上好品（文字及图形标志 LOGO_MAIN）")]
    assert notice.registrations[0].registration.startswith("第00000001号")
    with factory() as session:
        report = weekly_report(session, W48, ctx)
    assert report.cases[0].thumbnail.alt == "商品主图"  # no screenshot yet: the product image stands in
