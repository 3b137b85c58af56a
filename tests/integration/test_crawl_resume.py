"""kill -9 in the middle of `haopin crawl --jobdir`, then the same command again: every listing exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from demo.testing import running_market

PLATFORMS = ["demo-taobao", "demo-jd", "demo-xianyu"]
FAST = ["--set", "AUTOTHROTTLE_ENABLED=false", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]


def crawl_command(market_url: str, out: Path, jobdir: Path) -> list[str]:
    platforms = [arg for p in PLATFORMS for arg in ("--platform", p)]
    return [sys.executable, "-m", "crawler", "crawl", "--market", market_url, *platforms,
            "--out", str(out), "--jobdir", str(jobdir), *FAST]


def keys(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    return [(r["platform"], r["listing_id"]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


@pytest.mark.slow
@pytest.mark.parametrize(("stop", "state", "message", "same_output"), [
    pytest.param(signal.SIGKILL, "running", "续爬", False, id="kill-9"),
    pytest.param(signal.SIGKILL, "running", "续爬", True, id="kill-9-same-output"),
    pytest.param(signal.SIGINT, "paused", "继续上次暂停", False, id="ctrl-c"),
])
def test_stop_then_resume_holds_every_listing_exactly_once(tmp_path, stop, state, message, same_output):
    env = {**os.environ, "HAOPIN_DATA_DIR": str(tmp_path / "data")}
    jobdir = tmp_path / "job"
    first_out = tmp_path / "first.jsonl"
    second_out = first_out if same_output else tmp_path / "second.jsonl"
    with running_market(seed=11, size=24, failure_rate=0.1) as market:
        truth = market.ground_truth
        process = subprocess.Popen(crawl_command(market.url, first_out, jobdir), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(keys(first_out)) < 8 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the crawl ended before it could be killed: " + process.stderr.read().decode()
        process.send_signal(stop)
        assert process.wait(timeout=120) == (130 if stop == signal.SIGINT else -signal.SIGKILL)
        process.stderr.close()
        killed_at = len(keys(first_out))
        assert json.loads((jobdir / "state.json").read_text())["status"] == state

        resumed = subprocess.run(crawl_command(market.url, second_out, jobdir), env=env, capture_output=True,
                                 text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert message in resumed.stderr
    if same_output:
        written = keys(first_out)
        assert len(written) > killed_at >= 8, "the resumed run appended to the same file"
    else:
        first, second = keys(first_out), keys(second_out)
        assert len(first) >= killed_at >= 8 and second, "both runs wrote listings"
        written = first + second
    union = Counter(written)
    assert [key for key, count in union.items() if count > 1] == []
    reachable = {(t.platform, t.listing_id) for t in truth.listings if t.platform in PLATFORMS and t.reachable}
    assert reachable - set(union) == set()
    assert json.loads((jobdir / "state.json").read_text())["status"] == "finished"


def test_a_finished_job_folder_is_not_silently_reused(tmp_path):
    jobdir = tmp_path / "job"
    jobdir.mkdir()
    (jobdir / "state.json").write_text(json.dumps({"status": "finished", "outputs": []}))
    env = {**os.environ, "HAOPIN_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--platform", "demo-jd", "--keywords", "x",
                             "--out", str(tmp_path / "o.jsonl"), "--jobdir", str(jobdir)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "already finished" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_kill_9_during_a_crawl_into_the_case_database_loses_nothing_and_stores_nothing_twice(tmp_path):
    import sqlite3

    env = {**os.environ, "HAOPIN_DATA_DIR": str(tmp_path / "data")}
    database = tmp_path / "cases.sqlite"
    jobdir = tmp_path / "job"
    first_out, second_out = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    store = ["--db", f"sqlite:///{database}", "--set", "HAOPIN_DB_BATCH_SIZE=4", "--no-images"]

    def stored() -> set[tuple[str, str]]:
        with sqlite3.connect(database) as connection:
            return set(connection.execute(
                "SELECT platforms.slug, listings.external_id FROM listings JOIN platforms ON platforms.id = platform_id"))

    with running_market(seed=11, size=24, failure_rate=0.1) as market:
        truth = market.ground_truth
        process = subprocess.Popen(crawl_command(market.url, first_out, jobdir) + store, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(keys(first_out)) < 8 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the crawl ended before it could be killed"
        process.kill()
        assert process.wait(timeout=60) == -signal.SIGKILL
        written_before_kill = set(keys(first_out))
        assert written_before_kill <= stored(), "a listing was written out before its batch was committed"

        resumed = subprocess.run(crawl_command(market.url, second_out, jobdir) + store, env=env,
                                 capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    written = keys(first_out) + keys(second_out)
    assert [key for key, count in Counter(written).items() if count > 1] == []
    reachable = {(t.platform, t.listing_id) for t in truth.listings if t.platform in PLATFORMS and t.reachable}
    assert reachable <= set(written) == stored()
    with sqlite3.connect(database) as connection:
        duplicates = connection.execute(
            "SELECT seller_id, mark, code, COUNT(*) FROM cases GROUP BY seller_id, mark, code HAVING COUNT(*) > 1"
        ).fetchall()
        empty_cases = connection.execute(
            "SELECT COUNT(*) FROM cases WHERE id NOT IN (SELECT case_id FROM violations WHERE case_id IS NOT NULL)"
        ).fetchone()[0]
    assert duplicates == [] and empty_cases == 0
