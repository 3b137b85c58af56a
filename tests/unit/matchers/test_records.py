"""The listing and finding records round-trip exactly and reject bad input by field name."""

from __future__ import annotations

import jsonschema
import pytest

from matchers.records import Evidence, Finding, Listing, RecordError, Violation

FULL_LISTING = {
    "platform": "demo-taobao",
    "listing_id": "8812734",
    "url": "https://example.test/item/8812734",
    "title": "奉节脐橙 5斤装 当季现摘",
    "description": "产地直发",
    "price": 39.9,
    "currency": "CNY",
    "unit": "箱",
    "seller": {"id": "s-1021", "name": "果园直发店", "company": "某某公司", "location": "江西 赣州", "shop_url": "https://example.test/shop/s-1021"},
    "ship_from": "江西 赣州",
    "images": ["images/8812734-0.jpg"],
    "attributes": {"产地": "江西"},
    "captured_at": "2026-11-20T10:00:00+08:00",
}
MINIMAL_LISTING = {k: FULL_LISTING[k] for k in ("platform", "listing_id", "url", "title", "captured_at")}


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(FULL_LISTING, id="every field"),
        pytest.param(MINIMAL_LISTING, id="required fields only"),
        pytest.param({**MINIMAL_LISTING, "images": [], "attributes": {}}, id="explicitly empty collections stay"),
        pytest.param({**MINIMAL_LISTING, "price": 0}, id="integer zero price stays an integer"),
        pytest.param({**MINIMAL_LISTING, "captured_at": "2026-11-20T02:00:00Z"}, id="Z offset"),
    ],
)
def test_listing_round_trips_exactly(record, contract_schemas):
    jsonschema.validate(record, contract_schemas["listing"])
    assert Listing.from_record(record).to_record() == record


@pytest.mark.parametrize(
    ("record", "field", "why"),
    [
        ({k: v for k, v in MINIMAL_LISTING.items() if k != "title"}, "title", "missing required field"),
        ({**MINIMAL_LISTING, "listing_id": 8812734}, "listing_id", "id given as a number"),
        ({**MINIMAL_LISTING, "platform": "  "}, "platform", "blank platform"),
        ({**MINIMAL_LISTING, "captured_at": "2026-11-20 10:00"}, "captured_at", "no UTC offset"),
        ({**MINIMAL_LISTING, "captured_at": "yesterday"}, "captured_at", "not a date-time"),
        ({**MINIMAL_LISTING, "price": "39.9"}, "price", "price as a string"),
        ({**MINIMAL_LISTING, "price": -1}, "price", "negative price"),
        ({**MINIMAL_LISTING, "price": True}, "price", "boolean is not a number"),
        ({**MINIMAL_LISTING, "seller": "果园直发店"}, "seller", "seller as a string"),
        ({**MINIMAL_LISTING, "seller": {"nick": "x"}}, "seller.nick", "unknown seller field"),
        ({**MINIMAL_LISTING, "seller": {"id": 5}}, "seller.id", "seller id as a number"),
        ({**MINIMAL_LISTING, "images": "a.jpg"}, "images", "images not an array"),
        ({**MINIMAL_LISTING, "images": ["a.jpg", ""]}, "images[1]", "empty image reference"),
        ({**MINIMAL_LISTING, "attributes": {"产地": 1}}, "attributes.产地", "attribute value not a string"),
        ({**MINIMAL_LISTING, "titel": "typo"}, "titel", "unknown top-level field"),
    ],
)
def test_listing_errors_name_the_field(record, field, why):
    with pytest.raises(RecordError) as raised:
        Listing.from_record(record)
    assert raised.value.field == field, why


def test_listing_rejects_non_object():
    with pytest.raises(RecordError, match="JSON object"):
        Listing.from_record(["not", "an", "object"])


def test_currency_defaults_to_cny_without_being_written():
    listing = Listing.from_record(MINIMAL_LISTING)
    assert listing.currency_or_default == "CNY"
    assert "currency" not in listing.to_record()


def test_finding_round_trips_and_follows_schema(contract_schemas):
    finding = Finding(
        platform="demo-taobao",
        listing_id="8812734",
        violations=(
            Violation(
                code="GI_FALSE_ORIGIN",
                mark="FJQC",
                score=0.93,
                reason="标题含“奉节脐橙”，发货地“江西 赣州”不在地理标志产地范围内",
                evidence=Evidence(field="title", span=(0, 4), matched="奉节脐橙"),
                legal_basis="《商标法》第十六条、第五十七条",
            ),
            Violation(
                code="LOGO_UNAUTHORISED",
                mark="LOGO_MAIN",
                score=0.88,
                reason="商品图片中出现注册图形标志",
                evidence=Evidence(field="image:0", bbox=(10, 20, 100, 80), distance=6.0),
                legal_basis="《商标法》第五十七条第（一）项",
            ),
        ),
        risk=0.93,
        licensee_id=None,
    )
    record = finding.to_record()
    jsonschema.validate(record, contract_schemas["finding"])
    assert Finding.from_record(record) == finding


@pytest.mark.parametrize(
    ("code", "score"),
    [("NOT_A_CODE", 0.5), ("MARK_SIMILAR", 1.5), ("MARK_SIMILAR", -0.1)],
)
def test_violation_refuses_unknown_code_or_score_out_of_range(code, score):
    with pytest.raises(ValueError):
        Violation(code=code, mark="FSHP", score=score, reason="x", evidence=Evidence(field="title"), legal_basis="x")
