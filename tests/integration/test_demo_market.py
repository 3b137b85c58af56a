"""`haopin demo-market` as a user runs it, and the pdd flavour in a real browser."""

import json
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from demo.testing import running_market

HAOPIN = str(Path(sys.executable).parent / "haopin")


def _read_urls(process: subprocess.Popen) -> dict[str, str]:
    banner = process.stdout.readline()
    assert banner.startswith("demo marketplace"), banner
    urls = {}
    for _ in range(5):
        platform, url = process.stdout.readline().split()
        urls[platform] = url
    return urls


def test_cli_serves_every_flavour_writes_ground_truth_and_stops_on_sigterm(tmp_path):
    truth_file = tmp_path / "truth.json"
    process = subprocess.Popen(
        [HAOPIN, "demo-market", "--port", "0", "--seed", "7", "--size", "30",
         "--failure-rate", "0", "--ground-truth", str(truth_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        urls = _read_urls(process)
        assert set(urls) == {"demo-taobao", "demo-jd", "demo-pdd", "demo-douyin", "demo-xianyu"}
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        assert truth["seed"] == 7 and truth["listings"]
        listing = next(e for e in truth["listings"] if e["platform"] == "demo-taobao")
        server = urls["demo-taobao"].rsplit("/", 1)[0]
        with urllib.request.urlopen(server + listing["path"], timeout=30) as response:
            assert response.status == 200 and listing["listing_id"].encode() in response.read()
        query = urllib.parse.quote("奉上好品")
        with urllib.request.urlopen(f"{urls['demo-jd']}/api/search?keyword={query}", timeout=30) as response:
            assert json.loads(response.read())["total"] > 0
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in err


def test_cli_refuses_a_port_in_use():
    with running_market(seed=1) as market:
        port = market.url.rsplit(":", 1)[1]
        result = subprocess.run(
            [HAOPIN, "demo-market", "--port", port],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.browser
@pytest.mark.slow
def test_pdd_listings_appear_only_after_javascript_even_with_faults():
    from playwright.sync_api import sync_playwright

    with running_market(seed=1, failure_rate=0.3, rate_limit=50) as market, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page()
            query = urllib.parse.quote("奉上好品")
            for _attempt in range(3):  # the shell page itself may be one of the injected failures
                response = page.goto(f"{market.base_url('demo-pdd')}/search?q={query}")
                if response.ok:
                    break
            page.wait_for_selector('#app[data-ready="1"]', timeout=20000)
            ids = page.eval_on_selector_all("div.goods-item", "els => els.map(e => e.dataset.goodsId)")
            expected = [p.listing_id for p in market.catalogue.search("demo-pdd", "奉上好品")][:20]
            assert ids == expected
            assert page.get_attribute("a.next-page", "href")
            product = market.catalogue.get("demo-pdd", ids[0])
            for _attempt in range(3):
                if page.goto(f"{market.url}{product.path}").ok:
                    break
            page.wait_for_selector('#app[data-ready="1"]', timeout=20000)
            assert page.text_content("h1.goods-title") == product.title
            assert page.text_content("div.ship-from span") == product.ship_from
        finally:
            browser.close()
