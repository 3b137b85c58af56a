"""The demo catalogue: seeded, covering every violation code, labelled by CONTRACT §4."""

import json
import re
import unicodedata
from collections import Counter
from datetime import date

import pytest

from demo.catalogue import (
    GI_HOME,
    PLATFORMS,
    build_catalogue,
    ground_truth,
    licence_state,
    truth_of,
)
from demo.search import normalise
from matchers.pack import load_pack
from matchers.records import VIOLATION_CODES

AS_OF = date(2026, 11, 28)
LICENCE_CODES = {"LICENCE_LAPSED", "OUT_OF_SCOPE"}
UNAUTHORISED_USE = {"MARK_UNAUTHORISED", "MARK_SIMILAR", "LOGO_UNAUTHORISED"}


@pytest.fixture(scope="module")
def pack(repo_root):
    return load_pack(repo_root / "brandpacks" / "fengjie")


@pytest.fixture(scope="module")
def catalogue(pack):
    return build_catalogue(1, pack=pack, as_of=AS_OF)


@pytest.fixture(scope="module")
def licensees(pack):
    return {lic.licensee_id: lic for lic in pack.licensees}


def _exact_form(text: str) -> str:
    # CONTRACT §4.1: letter case, full/halfwidth and surrounding whitespace do not change the mark.
    return unicodedata.normalize("NFKC", text).casefold()


def _origin(pack, place: str) -> bool:
    gi = pack.gi_marks[0]
    return any(name in place.replace(" ", "") for name in gi.origin)


def test_same_seed_same_catalogue_other_seed_other(pack):
    first = build_catalogue(3, pack=pack, as_of=AS_OF)
    again = build_catalogue(3, pack=pack, as_of=AS_OF)
    other = build_catalogue(4, pack=pack, as_of=AS_OF)
    assert first.products == again.products
    assert {p.key for p in first.products} != {p.key for p in other.products}


def test_every_flavour_has_a_realistic_share_of_listings(catalogue):
    for platform in PLATFORMS:
        listings = catalogue.listings(platform)
        assert 60 <= len(listings) <= 150, platform
        assert len({p.listing_id for p in listings}) == len(listings)


def test_size_scales_the_catalogue(pack):
    small = build_catalogue(1, size=20, pack=pack, as_of=AS_OF)
    large = build_catalogue(1, size=300, pack=pack, as_of=AS_OF)
    assert len(small.listings("demo-jd")) < 40 < 300 <= len(large.listings("demo-jd"))


def test_ground_truth_covers_every_violation_code_and_clean_listings(pack):
    truth = ground_truth(1, pack=pack, as_of=AS_OF)
    assert truth.codes == set(VIOLATION_CODES)
    assert any(not entry.expected for entry in truth.listings)
    reachable_codes = {code for e in truth.listings if e.reachable for code in e.expected}
    assert reachable_codes == set(VIOLATION_CODES), "every code must be findable by a crawl with the pack's keywords"


def test_unrelated_goods_are_not_reached_by_the_pack_keywords(catalogue, pack):
    truth = truth_of(catalogue, pack)
    unrelated = [e for e in truth.listings if e.category == "unrelated"]
    assert unrelated and not any(e.reachable for e in unrelated)


def test_ground_truth_json_round_trips(tmp_path, catalogue, pack):
    truth = truth_of(catalogue, pack)
    target = tmp_path / "truth.json"
    truth.write(target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["seed"] == 1 and data["as_of"] == "2026-11-28"
    assert len(data["listings"]) == len(catalogue.products)
    first = data["listings"][0]
    assert set(first) >= {"platform", "listing_id", "path", "expected", "reachable"}
    assert first["expected"] == sorted(truth.get(first["platform"], first["listing_id"]).expected)


def test_listing_text_looks_real(catalogue):
    for product in catalogue.products:
        assert re.search(r"[\u4e00-\u9fff]", product.title), product.title
        assert product.price > 0 and product.unit
        assert product.ship_from and product.shop.name
        assert dict(product.attributes).get("净含量")


def test_licence_labels_follow_the_licensee_state(catalogue, licensees):
    seen = Counter()
    for product in catalogue.products:
        licensee = licensees.get(product.shop.licensee_id)
        if licensee is None:
            continue
        state = licence_state(licensee, AS_OF)
        seen[state] += 1
        if state == "active":
            assert product.expected <= {"OUT_OF_SCOPE"}, product
        elif state == "disposal":
            assert product.expected == set(), "within the disposal period a former licensee is clean"
        elif state == "lapsed":
            assert product.expected == {"LICENCE_LAPSED"}, "licence codes replace MARK_*/LOGO_* (§4.4)"
        else:
            assert product.expected & {"MARK_UNAUTHORISED"} and not product.expected & LICENCE_CODES, (
                "a suspended or not yet valid licence authorises nothing (§4.5)"
            )
    assert set(seen) == {"active", "disposal", "lapsed", "unauthorised"}


def test_licence_codes_are_never_combined_with_unauthorised_use(catalogue):
    for product in catalogue.products:
        if product.expected & LICENCE_CODES:
            assert not product.expected & UNAUTHORISED_USE, product


def test_false_origin_listings_name_the_gi_and_ship_from_elsewhere(catalogue, pack):
    gi = normalise(pack.gi_marks[0].text)
    for product in catalogue.products:
        if "GI_FALSE_ORIGIN" in product.expected:
            assert gi in normalise(product.title)
            assert not _origin(pack, product.ship_from) and not _origin(pack, product.shop.location)
            assert not product.expected & {"MARK_UNAUTHORISED", "MARK_SIMILAR"}, "GI names are never MARK_* (§4.2)"


def test_clean_unlicensed_listings_naming_the_gi_are_truly_from_the_origin(catalogue, pack):
    gi = normalise(pack.gi_marks[0].text)
    for product in catalogue.products:
        if not product.expected and product.shop.licensee_id is None and gi in normalise(product.title):
            assert _origin(pack, product.ship_from), product


def test_clean_unlicensed_titles_use_no_mark_outside_exceptions(catalogue, pack):
    marks = [normalise(m.text) for m in pack.word_marks]
    for product in catalogue.products:
        if product.expected or product.shop.licensee_id is not None:
            continue
        title = product.title
        for exception in pack.exceptions:
            title = title.replace(exception, "")
        assert not any(mark in normalise(title) for mark in marks), product.title
        assert not any(image.kind == "logo" for image in product.images)


def test_exact_and_similar_forms_are_told_apart(catalogue, pack):
    exact = {_exact_form(word) for m in pack.word_marks for word in (m.text, *m.aliases)}
    for product in catalogue.products:
        title = _exact_form(product.title)
        printed = any(image.kind == "printed" and image.text for image in product.images)
        if "MARK_UNAUTHORISED" in product.expected and product.shop.licensee_id is None:
            assert any(form in title for form in exact) or printed, product.title
        if "MARK_SIMILAR" in product.expected:
            assert not any(form in title for form in exact), product.title


def test_claims_are_labelled_only_next_to_the_brand(catalogue, pack):
    for product in catalogue.products:
        if "FALSE_AUTH_CLAIM" in product.expected:
            assert any(claim in product.title for claim in pack.claims.authorisation)
            assert product.shop.licensee_id is None
        if "FALSE_TRACE_CLAIM" in product.expected:
            assert any(claim in product.title for claim in pack.claims.traceability)


def test_logos_in_unlicensed_images_are_labelled(catalogue):
    for product in catalogue.products:
        has_logo = any(image.kind == "logo" for image in product.images)
        if product.shop.licensee_id is None:
            assert has_logo == ("LOGO_UNAUTHORISED" in product.expected), product.title


def test_hard_negatives_are_present(catalogue):
    categories = Counter(p.category for p in catalogue.products if not p.expected)
    for category in ("negative_exception", "negative_true_origin", "negative_shangpinzhong", "former_in_disposal",
                     "negative_other_brand", "unrelated", "genuine", "genuine_variant"):
        assert categories[category], category
    assert any(GI_HOME == p.ship_from for p in catalogue.products if p.category == "negative_true_origin")


def test_some_companies_sell_on_two_flavours(catalogue):
    platforms_of = {}
    for product in catalogue.products:
        if product.shop.company and product.expected and product.shop.licensee_id is None:
            platforms_of.setdefault(product.shop.company, set()).add(product.platform)
    assert sum(len(p) >= 2 for p in platforms_of.values()) >= 5


def test_later_weeks_take_down_relist_and_add(pack, catalogue):
    week2 = build_catalogue(1, week=2, pack=pack, as_of=AS_OF)
    base_keys = {p.key for p in catalogue.products}
    week2_keys = {p.key for p in week2.products}
    removed = {p.key for p in week2.removed}
    assert removed and removed <= base_keys and not removed & week2_keys
    new = [p for p in week2.products if p.key not in base_keys]
    assert any(p.week_listed in (1, 2) for p in new)
    relisted = [p for p in new if any(r.title == p.title and r.shop == p.shop for r in week2.removed)]
    assert relisted, "some taken-down listings come back under a new id"
    unchanged = base_keys - removed
    assert unchanged <= week2_keys
    assert build_catalogue(1, week=2, pack=pack, as_of=AS_OF).products == week2.products


def test_bad_size_and_week_are_refused(pack):
    with pytest.raises(ValueError, match="size"):
        build_catalogue(1, size=0, pack=pack)
    with pytest.raises(ValueError, match="week"):
        build_catalogue(1, week=-1, pack=pack)


def test_listing_records_follow_the_contract(catalogue, contract_schemas):
    import jsonschema

    from demo.catalogue import listing_record
    from matchers.records import Listing

    validator = jsonschema.Draft202012Validator(contract_schemas["listing"])
    for product in catalogue.listings("demo-douyin"):
        record = listing_record(product, "http://127.0.0.1:1", "2026-11-28T10:00:00+08:00")
        validator.validate(record)
        assert Listing.from_record(record).to_record() == record
        assert record["url"].endswith(product.path) and len(record["images"]) == len(product.images)


def test_catalogue_is_identical_across_processes():
    """Hash randomisation must not leak into the catalogue: week-over-week tests rerun it in new processes."""
    import os
    import subprocess
    import sys

    script = (
        "from datetime import date\n"
        "from demo.catalogue import build_catalogue\n"
        "c = build_catalogue(2, size=30, week=1, as_of=date(2026, 11, 28))\n"
        "for p in c.products + c.removed:\n"
        "    print(p.platform, p.listing_id, p.title, p.shop, p.images, p.attributes, p.price, sorted(p.expected))\n"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (1, 2)
    ]
    assert outputs[0] == outputs[1] and outputs[0].count("\n") > 150
