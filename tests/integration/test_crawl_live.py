"""Live crawls of every demo flavour over HTTP on 127.0.0.1, with 5xx, slow answers and 429s injected.

`haopin crawl` runs as a subprocess (Scrapy's reactor runs once per process), exactly
as an officer runs it; the demo marketplace runs in this process, so its ground truth
and request counters can be checked against the output.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from demo.testing import running_market
from matchers.records import Listing

SEED = 7
SIZE = 24
# Fast but still well-behaved: the rate limit below is what forces the 429s.
FAST = ["--set", "AUTOTHROTTLE_ENABLED=false", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]

FLAVOURS = [
    pytest.param("demo-taobao", id="demo-taobao", marks=pytest.mark.slow),
    pytest.param("demo-jd", id="demo-jd", marks=pytest.mark.slow),
    pytest.param("demo-douyin", id="demo-douyin", marks=pytest.mark.slow),
    pytest.param("demo-xianyu", id="demo-xianyu", marks=pytest.mark.slow),
    pytest.param("demo-pdd", id="demo-pdd", marks=[pytest.mark.browser, pytest.mark.slow]),
]


def haopin(*args: str, data_dir: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "HAOPIN_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "crawler", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("platform", FLAVOURS)
def test_live_crawl_finds_every_reachable_listing_once(platform, tmp_path, contract_schemas):
    out = tmp_path / "out" / "listings.jsonl"
    with running_market(seed=SEED, size=SIZE, failure_rate=0.15, slow_rate=0.03, slow_delay=1.0,
                        rate_limit=8) as market:
        # Chromium's own API calls count against the rate limit too: fewer pages at once. Rendering is
        # slow, so the browser flavour searches exactly the keywords the ground truth is defined by
        # (marks, aliases, GI names) rather than every variant matchers.keywords adds.
        browser = ["--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "--keywords", *market.ground_truth.keywords
                   ] if platform == "demo-pdd" else []
        result = haopin("crawl", "--market", market.url, "--platform", platform, "--out", str(out), *FAST,
                        *browser, data_dir=tmp_path / "data", timeout=400)
        served = market.stats
        truth = market.ground_truth
        catalogue = {p.listing_id: p for p in market.catalogue.listings(platform)}
    assert result.returncode == 0, result.stderr[-3000:]
    records = read_jsonl(out)
    keys = Counter((r["platform"], r["listing_id"]) for r in records)
    assert [k for k, n in keys.items() if n > 1] == []
    reachable = {(t.platform, t.listing_id) for t in truth.listings if t.platform == platform and t.reachable}
    assert reachable, "the ground truth has reachable listings for this flavour"
    assert reachable - set(keys) == set()
    assert {listing_id for _, listing_id in keys} <= set(catalogue)
    # Faults were really injected and really survived.
    assert served["throttled"] > 0 and served["failed"] > 0, served
    assert f"{platform}: pages" in result.stderr and "errors 0" in result.stderr, result.stderr[-2000:]
    for record in records:
        jsonschema.validate(record, contract_schemas["listing"])
        assert Listing.from_record(record).to_record() == record
        product = catalogue[record["listing_id"]]
        # What the page showed, decoded right (demo-taobao is GBK): the catalogue is the truth.
        assert (record["title"], record["price"], record.get("ship_from")) == (
            product.title, product.price, product.ship_from), record["url"]
        assert (record["seller"]["id"], record["seller"]["name"]) == (product.shop.shop_id, product.shop.name)
        for image in record.get("images", []):
            assert not image.startswith("http"), f"{record['url']}: image {image} was not stored"
            stored = out.parent / image
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == stored.stem
    if platform == "demo-taobao":
        assert all(r["seller"].get("company") or r["seller"].get("location") for r in records), "shop pages read"
    assert all(isinstance(r.get("price"), float) for r in records), "every flavour shows prices"


def test_platform_that_yields_nothing_is_a_failed_crawl(tmp_path):
    with running_market(seed=SEED, size=10) as market:
        result = haopin("crawl", "--market", market.url, "--platform", "demo-jd", "--platform", "demo-xianyu",
                        "--keywords", "火星土豆", "--out", str(tmp_path / "out.jsonl"), *FAST,
                        data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "FAILED" in result.stderr and "demo-jd" in result.stderr.splitlines()[-1]


def test_unreachable_platform_is_a_failed_crawl_not_a_quiet_week(tmp_path):
    with running_market(seed=SEED, size=10) as market:
        dead = market.url
    result = haopin("crawl", "--market", dead, "--platform", "demo-douyin", "--keywords", "奉节脐橙",
                    "--out", str(tmp_path / "out.jsonl"), "--set", "RETRY_TIMES=1", *FAST,
                    data_dir=tmp_path / "data")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "demo-douyin" in result.stderr and "FAILED" in result.stderr


def test_bad_arguments_are_one_line_usage_errors(tmp_path):
    result = haopin("crawl", "--platform", "demo-nowhere", "--out", str(tmp_path / "o.jsonl"),
                    data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("haopin crawl: unknown platform 'demo-nowhere'")
    assert "Traceback" not in result.stderr


def test_oversized_images_are_not_stored_and_keep_their_url(tmp_path):
    out = tmp_path / "out.jsonl"
    with running_market(seed=SEED, size=8) as market:
        result = haopin("crawl", "--market", market.url, "--platform", "demo-xianyu", "--keywords", "奉节脐橙",
                        "--out", str(out), "--set", "HAOPIN_IMAGES_MAXSIZE=2000", *FAST, data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr[-2000:]
    records = read_jsonl(out)
    assert records and all(image.startswith("http://127.0.0.1:") for r in records for image in r["images"])
    assert not (tmp_path / "data" / "images").exists() or not any((tmp_path / "data" / "images").rglob("*.jpg"))


def test_officer_adds_a_json_feed_platform_in_yaml_and_crawls_it(tmp_path):
    """No Python: a YAML file in data/platforms describes demo-douyin's JSON feed (listings from the feed alone)."""
    data_dir = tmp_path / "data"
    (data_dir / "platforms").mkdir(parents=True)
    out = tmp_path / "feed.jsonl"
    with running_market(seed=SEED, size=SIZE, failure_rate=0.1) as market:
        (data_dir / "platforms" / "feed-shop.yaml").write_text(
            f"platform: feed-shop\n"
            f"base_url: {market.base_url('demo-douyin')}\n"
            "search:\n"
            "  url: \"/api/search?keyword={keyword}&count=30&cursor={cursor}\"\n"
            "  format: json\n"
            "  results: \"json: data.products\"\n"
            "  fields:\n"
            "    listing_id: {json: product_id, required: true}\n"
            "    title: {json: title, required: true}\n"
            "    price: {json: price, scale: 0.01}\n"
            "    seller.id: \"json: shop_id\"\n"
            "    seller.name: \"json: shop_name\"\n"
            "  pagination: {kind: cursor, cursor: \"json: data.cursor\", has_more: \"json: data.has_more\"}\n",
            encoding="utf-8")
        result = haopin("crawl", "--platform", "feed-shop", "--keywords", *market.ground_truth.keywords,
                        "--out", str(out), "--no-images", *FAST, data_dir=data_dir)
        truth = market.ground_truth
        prices = {p.listing_id: p.price for p in market.catalogue.listings("demo-douyin")}
    assert result.returncode == 0, result.stderr[-2000:]
    records = read_jsonl(out)
    found = Counter(r["listing_id"] for r in records)
    assert all(n == 1 for n in found.values()) and {r["platform"] for r in records} == {"feed-shop"}
    reachable = {t.listing_id for t in truth.listings if t.platform == "demo-douyin" and t.reachable}
    assert reachable <= set(found)
    assert all(r["price"] == pytest.approx(prices[r["listing_id"]]) for r in records)


def test_platform_whose_layout_changed_fails_naming_the_field(tmp_path, repo_root):
    """A redesigned item page (here: a stale title selector) is a failed crawl that says which field broke."""
    data_dir = tmp_path / "data"
    (data_dir / "platforms").mkdir(parents=True)
    definition = (repo_root / "crawler" / "platforms" / "demo-xianyu.yaml").read_text(encoding="utf-8")
    stale = definition.replace("platform: demo-xianyu", "platform: old-xianyu").replace(
        "div.item-title h2", "div.item-title-v1 h2")
    (data_dir / "platforms" / "old-xianyu.yaml").write_text(stale, encoding="utf-8")
    with running_market(seed=SEED, size=8) as market:
        result = haopin("crawl", "--platform", "old-xianyu", "--base-url", f"old-xianyu={market.base_url('demo-xianyu')}",
                        "--keywords", "奉节脐橙", "--out", str(tmp_path / "o.jsonl"), *FAST, data_dir=data_dir)
    assert result.returncode == 1
    assert "cannot extract 'title'" in result.stderr and "div.item-title-v1 h2" in result.stderr
    assert "old-xianyu" in result.stderr.splitlines()[-1]
