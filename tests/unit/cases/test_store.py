"""Week-over-week behaviour of the case store: repeats update, relistings link, false flags stay quiet."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cases.models import (
    AllowListEntry,
    Case,
    CaseEvent,
    CaseListing,
    Finding,
    Listing,
    Seller,
    SellerLink,
    Sighting,
    Violation,
)
from cases.store import CaseRecorder, content_hash, name_key, record_batch
from cases.testing import make_finding, make_listing
from cases.workflow import set_status

WEEK1 = "2026-11-20T10:00:00+08:00"
WEEK2 = "2026-11-27T10:00:00+08:00"
WEEK3 = "2026-12-04T10:00:00+08:00"


def crawl(captured_at: str, **overrides):
    """A small crawl: two listings of one GI-violating seller, one clean listing of another."""
    first = make_listing("8812734", captured_at=captured_at, **overrides)
    second = make_listing("8812735", title="奉节脐橙 10斤 礼盒", captured_at=captured_at, **overrides)
    clean = make_listing(
        "5550001", title="赣南脐橙 5斤", seller_id="s-2", seller_name="赣南果园", captured_at=captured_at
    )
    return [
        (first, make_finding(first, ("GI_FALSE_ORIGIN", "FJQC", 0.93))),
        (second, make_finding(second, ("GI_FALSE_ORIGIN", "FJQC", 0.88), ("FALSE_AUTH_CLAIM", "FJQC", 0.7))),
        (clean, make_finding(clean)),
    ]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def store(Session, pairs):
    with Session.begin() as session:
        return record_batch(session, pairs)


def close_as(Session, case_id: int, *path: str, note: str | None = None) -> None:
    with Session.begin() as session:
        case = session.get(Case, case_id)
        for status in path:
            set_status(session, case, status, actor="张科员", note=note)


def test_first_crawl_opens_one_case_per_seller_mark_and_code(Session):
    summary = store(Session, crawl(WEEK1))
    with Session() as session:
        cases = session.scalars(select(Case).order_by(Case.code)).all()
        assert [(case.code, case.mark, case.status) for case in cases] == [
            ("FALSE_AUTH_CLAIM", "FJQC", "new"),
            ("GI_FALSE_ORIGIN", "FJQC", "new"),
        ]
        gi_case = cases[1]
        assert sorted(link.listing.external_id for link in gi_case.listings) == ["8812734", "8812735"]
        assert gi_case.risk == pytest.approx(0.93)
        assert [event.kind for event in gi_case.events] == ["opened", "listing"]
        assert count(session, Listing) == 3
        assert count(session, Finding) == 3
    assert summary.new_listings == 3 and len(summary.opened_case_ids) == 2


def test_same_crawl_twice_stores_nothing_twice(Session):
    store(Session, crawl(WEEK1))
    again = store(Session, crawl(WEEK1))
    with Session() as session:
        assert count(session, Case) == 2
        assert count(session, Listing) == 3
        assert count(session, Sighting) == 3
        assert count(session, Finding) == 3
        assert count(session, Violation) == 3
        assert count(session, CaseEvent) == 3
    assert again.opened_case_ids == [] and again.new_sightings == 0


def test_next_week_unchanged_updates_last_seen_only(Session):
    store(Session, crawl(WEEK1))
    summary = store(Session, crawl(WEEK2))
    with Session() as session:
        assert count(session, Case) == 2
        assert count(session, Sighting) == 3
        sighting = session.scalars(
            select(Sighting).join(Listing).where(Listing.external_id == "8812734")
        ).one()
        assert sighting.times_seen == 2
        assert sighting.last_seen_at.isoformat() == "2026-11-27T02:00:00+00:00"
        assert sighting.first_seen_at.isoformat() == "2026-11-20T02:00:00+00:00"
        gi_case = session.scalars(select(Case).where(Case.code == "GI_FALSE_ORIGIN")).one()
        assert gi_case.last_seen_at.isoformat() == "2026-11-27T02:00:00+00:00"
        assert {link.times_seen for link in gi_case.listings} == {2}
    assert summary.opened_case_ids == [] and len(summary.joined_case_ids) == 0


def test_changed_content_adds_a_sighting_and_joins_the_open_case(Session):
    store(Session, crawl(WEEK1))
    changed = make_listing("8812734", title="奉节脐橙 5斤装 特价", captured_at=WEEK2)
    store(Session, [(changed, make_finding(changed, ("GI_FALSE_ORIGIN", "FJQC", 0.95)))])
    with Session() as session:
        listing = session.scalars(select(Listing).where(Listing.external_id == "8812734")).one()
        assert [s.record["title"] for s in listing.sightings] == [
            "奉节脐橙 5斤装 当季现摘",
            "奉节脐橙 5斤装 特价",
        ]
        assert listing.title == "奉节脐橙 5斤装 特价"
        gi_case = session.scalars(select(Case).where(Case.code == "GI_FALSE_ORIGIN")).one()
        assert gi_case.risk == pytest.approx(0.95)
        assert count(session, Case) == 2


def test_removed_listing_relisted_is_linked_to_its_old_case(Session):
    store(Session, crawl(WEEK1))
    with Session() as session:
        old_id = session.scalars(select(Case.id).where(Case.code == "GI_FALSE_ORIGIN")).one()
    close_as(Session, old_id, "triaged", "confirmed", "notice_sent", "removed")
    relisted = make_listing("8812734", captured_at=WEEK3)
    summary = store(Session, [(relisted, make_finding(relisted, ("GI_FALSE_ORIGIN", "FJQC")))])
    with Session() as session:
        new_case = session.get(Case, summary.opened_case_ids[0])
        assert new_case.id != old_id
        assert new_case.relisting_of_id == old_id
        assert new_case.status == "new"
        assert "relisting" in [event.kind for event in new_case.events]
        assert session.get(Case, old_id).status == "removed"
    assert summary.relisting_case_ids == summary.opened_case_ids


def test_removed_seller_reappearing_with_a_new_listing_is_linked(Session):
    store(Session, crawl(WEEK1))
    with Session() as session:
        old_id = session.scalars(select(Case.id).where(Case.code == "GI_FALSE_ORIGIN")).one()
    close_as(Session, old_id, "escalated", "removed")
    fresh = make_listing("9990001", title="正宗奉节脐橙", captured_at=WEEK3)
    summary = store(Session, [(fresh, make_finding(fresh, ("GI_FALSE_ORIGIN", "FJQC")))])
    with Session() as session:
        assert session.get(Case, summary.opened_case_ids[0]).relisting_of_id == old_id


def test_dismissed_listing_is_not_flagged_again(Session):
    store(Session, crawl(WEEK1))
    with Session() as session:
        case_id = session.scalars(select(Case.id).where(Case.code == "FALSE_AUTH_CLAIM")).one()
    close_as(Session, case_id, "dismissed", note="卖家已提供授权书，属误报")
    summary = store(Session, crawl(WEEK2))
    with Session() as session:
        assert count(session, Case) == 2
        assert session.scalars(select(Case.status).where(Case.code == "FALSE_AUTH_CLAIM")).all() == [
            "dismissed"
        ]
        entry = session.scalars(select(AllowListEntry)).one()
        assert entry.reason == "卖家已提供授权书，属误报" and entry.code == "FALSE_AUTH_CLAIM"
    assert summary.suppressed == 1 and summary.opened_case_ids == []
    # The same seller's *other* violation (GI) is unaffected and still live.
    with Session() as session:
        assert session.scalars(select(Case.status).where(Case.code == "GI_FALSE_ORIGIN")).one() == "new"


def test_allow_list_does_not_hide_other_listings_of_the_seller(Session):
    store(Session, crawl(WEEK1))
    with Session() as session:
        case_id = session.scalars(select(Case.id).where(Case.code == "FALSE_AUTH_CLAIM")).one()
    close_as(Session, case_id, "dismissed", note="误报")
    other = make_listing("7770001", title="奉节脐橙 官方授权", captured_at=WEEK2)
    summary = store(Session, [(other, make_finding(other, ("FALSE_AUTH_CLAIM", "FJQC")))])
    assert len(summary.opened_case_ids) == 1


def test_seller_on_two_platforms_is_linked_by_company(Session):
    taobao = make_listing(
        "1",
        platform="demo-taobao",
        seller_id="tb-77",
        seller_name="赣州鲜果坊",
        company="赣州市某某果业有限公司",
        captured_at=WEEK1,
    )
    jd = make_listing(
        "2",
        platform="demo-jd",
        seller_id="jd-9",
        seller_name="鲜果专营",
        company="贛州市某某果業有限公司 ",
        captured_at=WEEK1,
    )
    store(Session, [(taobao, make_finding(taobao, ("GI_FALSE_ORIGIN", "FJQC")))])
    summary = store(Session, [(jd, make_finding(jd, ("GI_FALSE_ORIGIN", "FJQC")))])
    with Session() as session:
        link = session.scalars(select(SellerLink)).one()
        shops = {
            session.get(Seller, link.seller_id).shop_key,
            session.get(Seller, link.other_seller_id).shop_key,
        }
        assert shops == {"tb-77", "jd-9"}
        assert link.basis == "company"
        # Two platforms: two cases, one per shop, but one operator.
        assert count(session, Case) == 2
    assert summary.seller_links == 1


def test_seller_on_two_platforms_is_linked_by_shop_name_in_one_batch(Session):
    taobao = make_listing(
        "1", platform="demo-taobao", seller_id="a", seller_name="奉节老果农旗舰店", captured_at=WEEK1
    )
    jd = make_listing(
        "2", platform="demo-jd", seller_id="b", seller_name="奉节老果农 专营店", captured_at=WEEK1
    )
    unrelated = make_listing("3", platform="demo-pdd", seller_id="c", seller_name="水果店", captured_at=WEEK1)
    store(Session, [(listing, make_finding(listing)) for listing in (taobao, jd, unrelated)])
    with Session() as session:
        link = session.scalars(select(SellerLink)).one()
        assert link.basis == "shop_name"


def test_repeat_infringer_has_several_cases(Session):
    from cases.queries import repeat_infringers

    store(Session, crawl(WEEK1))
    with Session() as session:
        rows = repeat_infringers(session)
    assert [(row.seller.shop_key, row.case_count) for row in rows] == [("s-1021", 2)]


def test_recorder_batches_and_summarises(Session):
    listings = [make_listing(str(n), seller_id=f"s{n % 3}", captured_at=WEEK1) for n in range(10)]
    with CaseRecorder(Session, batch_size=4) as recorder:
        for listing in listings:
            recorder.add(listing, make_finding(listing, ("GI_FALSE_ORIGIN", "FJQC")))
    assert recorder.summary.listings == 10
    assert len(recorder.summary.opened_case_ids) == 3
    with Session() as session:
        assert count(session, CaseListing) == 10


def test_mismatched_pair_is_rejected_and_the_rest_stored(Session):
    good = make_listing("1", captured_at=WEEK1)
    other = make_listing("2", captured_at=WEEK1)
    summary = store(Session, [(good, make_finding(other)), (other, make_finding(other))])
    assert len(summary.rejected) == 1 and "demo-taobao:2" in summary.rejected[0]
    with Session() as session:
        assert session.scalars(select(Listing.external_id)).all() == ["2"]


def test_listings_without_seller_are_not_merged_into_one_case(Session):
    """With no shop on the page, only the listing identifies the infringer."""
    first = make_listing("1", seller_id=None, seller_name=None, captured_at=WEEK1)
    second = make_listing("2", seller_id=None, seller_name=None, captured_at=WEEK1)
    summary = store(Session, [(x, make_finding(x, ("GI_FALSE_ORIGIN", "FJQC"))) for x in (first, second)])
    assert len(summary.opened_case_ids) == 2


def test_content_hash_ignores_capture_time_only():
    a = make_listing("1", captured_at=WEEK1)
    b = make_listing("1", captured_at=WEEK2)
    c = make_listing("1", price=29.9, captured_at=WEEK1)
    assert content_hash(a) == content_hash(b) != content_hash(c)


@pytest.mark.parametrize(
    ("raw", "shop", "expected", "why"),
    [
        ("贛州市某某果業有限公司", False, "赣州市某某果业有限公司", "traditional folded to simplified"),
        ("赣州市（某某）果业 有限公司", False, "赣州市某某果业有限公司", "brackets and spaces dropped"),
        ("ＦＪ果园 旗舰店", True, "fj果园", "fullwidth, case and generic shop ending folded"),
        ("水果店", True, None, "too generic to link shops by"),
        (None, True, None, "no name"),
    ],
)
def test_name_key(raw, shop, expected, why):
    assert name_key(raw, shop=shop) == expected, why


def test_removed_seller_reappearing_on_another_platform_is_a_relisting(Session):
    taobao = make_listing(
        "1",
        platform="demo-taobao",
        seller_id="tb-77",
        seller_name="赣州鲜果坊",
        company="赣州市某某果业有限公司",
        captured_at=WEEK1,
    )
    summary = store(Session, [(taobao, make_finding(taobao, ("GI_FALSE_ORIGIN", "FJQC")))])
    old_id = summary.opened_case_ids[0]
    close_as(Session, old_id, "escalated", "removed")
    jd = make_listing(
        "2",
        platform="demo-jd",
        seller_id="jd-9",
        seller_name="另一个店名",
        company="赣州市某某果业有限公司",
        captured_at=WEEK2,
    )
    summary = store(Session, [(jd, make_finding(jd, ("GI_FALSE_ORIGIN", "FJQC")))])
    with Session() as session:
        assert session.get(Case, summary.opened_case_ids[0]).relisting_of_id == old_id


def test_revoked_allow_entry_lets_the_listing_be_flagged_again(Session):
    from cases.workflow import revoke_allow_entry

    store(Session, crawl(WEEK1))
    with Session() as session:
        case_id = session.scalars(select(Case.id).where(Case.code == "FALSE_AUTH_CLAIM")).one()
    close_as(Session, case_id, "dismissed", note="误报")
    with Session.begin() as session:
        entry = session.scalars(select(AllowListEntry)).one()
        revoke_allow_entry(session, entry.id, actor="王科长", note="授权书系伪造")
    summary = store(Session, crawl(WEEK2))
    with Session() as session:
        reopened = session.get(Case, summary.opened_case_ids[0])
        assert (reopened.code, reopened.status) == ("FALSE_AUTH_CLAIM", "new")
        assert session.get(Case, case_id).events[-1].kind == "allow_removed"
        # The violation suppressed in between still points at the (revoked) entry.
        entry = session.scalars(select(AllowListEntry)).one()
        assert entry.revoked_by == "王科长" and not entry.active
    # Dismissing the new case re-instates the same entry rather than adding a second one.
    close_as(Session, reopened.id, "dismissed", note="再次核实，属误报")
    with Session() as session:
        entry = session.scalars(select(AllowListEntry)).one()
        assert entry.active and entry.case_id == reopened.id and entry.reason == "再次核实，属误报"


def test_oversized_record_is_refused_by_name_and_the_batch_still_stored(Session):
    """PostgreSQL enforces column lengths: one hostile record must not sink the good ones with it."""
    good = make_listing("1", captured_at=WEEK1)
    long_url = make_listing("2", captured_at=WEEK1)
    long_url = type(long_url).from_record({**long_url.to_record(), "url": "https://x.example/" + "a" * 3000})
    wordy = make_listing("3", seller_id=None, seller_name="店" * 400, company="公" * 400, captured_at=WEEK1)
    summary = store(
        Session,
        [
            (listing, make_finding(listing, ("GI_FALSE_ORIGIN", "FJQC")))
            for listing in (good, long_url, wordy)
        ],
    )
    assert summary.rejected == ["demo-taobao:2: url is 3018 characters long (at most 2048): skipped"]
    with Session() as session:
        assert sorted(session.scalars(select(Listing.external_id))) == ["1", "3"]
        seller = session.scalars(select(Seller).where(Seller.shop_id.is_(None))).one()
        assert len(seller.name) == 255 and len(seller.company) == 255
