"""The weekly job end to end: `haopin demo` and `haopin run weekly` against the demo marketplace."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.job import JobError, run_lock
from demo.testing import running_market

REPO_ROOT = Path(__file__).resolve().parents[2]
SUMMARY = re.compile(
    r"found (?P<found>\d+), missed (?P<missed>\d+), false flags (?P<false>\d+), "
    r"precision (?P<precision>[\d.]+), recall (?P<recall>[\d.]+)"
)


def haopin(*args: str, data_dir: Path, timeout: float = 1200) -> subprocess.CompletedProcess:
    env = {**os.environ, "HAOPIN_DATA_DIR": str(data_dir)}
    env.pop("HAOPIN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.mark.slow
@pytest.mark.browser
def test_demo_runs_the_whole_job_and_scores_it_against_the_ground_truth(tmp_path):
    done = haopin("demo", "--seed", "3", "--size", "10", "--evidence-limit", "2", data_dir=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]

    summary = SUMMARY.search(done.stdout)
    assert summary, done.stdout
    assert int(summary["found"]) > 0
    assert float(summary["precision"]) >= 0.9, done.stdout
    assert float(summary["recall"]) >= 0.9, done.stdout

    (run_dir,) = (tmp_path / "demo" / "runs").glob("*/*")
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert record["flagged"] >= int(summary["found"])
    assert record["evidence_captured"] == 2 and not record["evidence_failed"]
    html = next((run_dir / "report").glob("*.html"))
    assert next((run_dir / "report").glob("*.pdf")).stat().st_size > 0
    report = html.read_text(encoding="utf-8")
    flagged = [json.loads(line) for line in (run_dir / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    found_ids = {f["listing_id"] for f in flagged if f["violations"]}
    assert found_ids and all(listing_id in report for listing_id in found_ids)
    assert str(html) in done.stdout

    from sqlalchemy import select

    from cases.db import open_session_factory
    from cases.models import EvidenceCapture

    with open_session_factory(f"sqlite:///{tmp_path / 'demo' / 'haopin.sqlite'}")() as session:
        captured_cases = set(session.scalars(select(EvidenceCapture.case_id)))
    assert len(captured_cases) == 2
    for case_id in captured_cases:
        # The demo's database is the default one of its data folder.
        verified = haopin("evidence", "verify", str(case_id), data_dir=tmp_path / "demo")
        assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.slow
def test_weekly_runs_keep_every_run_and_never_duplicate_cases(tmp_path):
    from sqlalchemy import func, select

    from cases.db import open_session_factory
    from cases.models import Case

    with running_market(5, size=8) as market:
        config = tmp_path / "haopin.yaml"
        config.write_text(
            yaml.safe_dump({"platforms": {slug: {"base_url": url} for slug, url in market.platform_urls.items()
                                          if slug != "demo-pdd"}}, allow_unicode=True),
            encoding="utf-8",
        )
        platforms = [arg for slug in market.platform_urls if slug != "demo-pdd" for arg in ("--platform", slug)]
        runs = [
            haopin("run", "weekly", "--config", str(config), "--week", "2026-W48", "--no-evidence", "--no-pdf",
                   *platforms, data_dir=tmp_path)
            for _ in range(2)
        ]
    for done in runs:
        assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    run_dirs = sorted((tmp_path / "runs" / "2026-W48").iterdir())
    assert len(run_dirs) == 2
    first, second = (json.loads((d / "run.json").read_text(encoding="utf-8")) for d in run_dirs)
    assert first["listings"] == second["listings"] > 0
    assert first["cases_opened"] > 0 and second["cases_opened"] == 0
    sessions = open_session_factory(f"sqlite:///{tmp_path / 'haopin.sqlite'}")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == first["cases_opened"]
    for run_dir in run_dirs:
        assert (run_dir / "findings.jsonl").stat().st_size > 0
        assert list((run_dir / "report").glob("*.html"))


def test_a_second_run_is_refused_while_one_holds_the_lock(tmp_path):
    with run_lock(tmp_path):
        with pytest.raises(JobError, match="正在运行"):
            with run_lock(tmp_path):
                pass
    with run_lock(tmp_path):
        pass


def test_run_weekly_names_a_bad_week(tmp_path):
    done = haopin("run", "weekly", "--week", "2026-48", data_dir=tmp_path)
    assert done.returncode == 2
    assert "--week" in done.stderr and "2026-W48" in done.stderr


def test_run_weekly_refuses_to_run_without_a_platform_configuration(tmp_path):
    done = haopin("run", "weekly", data_dir=tmp_path)
    assert done.returncode == 2
    assert "haopin.yaml" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()
