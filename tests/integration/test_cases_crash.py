"""kill -9 in the middle of a batched write: committed batches survive whole, no case is half written,
and running the same crawl again finishes the job without duplicating anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import func, select

from cases.db import engine_for, migrate, session_factory
from cases.models import Case, CaseEvent, CaseListing, Finding, Listing, Sighting, Violation
from cases.testing import postgres_test_url, temporary_database

pytestmark = pytest.mark.slow

TOTAL = 1200
BATCH = 50

WRITER = textwrap.dedent(
    f"""
    import sys
    from cases.db import migrate, session_factory
    from cases.store import CaseRecorder
    from cases.testing import make_finding, make_listing

    CODES = ("GI_FALSE_ORIGIN", "MARK_SIMILAR", "FALSE_AUTH_CLAIM")

    def crawl():
        for n in range({TOTAL}):
            listing = make_listing(str(n), seller_id=f"s{{n % 40}}", seller_name=f"第{{n % 40}}号果园",
                                   captured_at="2026-11-27T10:00:00+08:00")
            if n % 5 == 0:
                yield listing, make_finding(listing)
            else:
                yield listing, make_finding(listing, (CODES[n % 3], "FJQC"), ("FALSE_TRACE_CLAIM", "FSHP", 0.6))

    if __name__ == "__main__":
        url = sys.argv[1]
        migrate(url)
        done = 0

        def report(summary):
            global done
            done += summary.listings
            print(f"committed {{done}}", flush=True)

        with CaseRecorder(session_factory(url), batch_size={BATCH}, on_commit=report) as recorder:
            for listing, finding in crawl():
                recorder.add(listing, finding)
        print("finished", flush=True)
    """
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "postgresql" and postgres_test_url() is None:
        pytest.skip("HAOPIN_TEST_DATABASE_URL is not set: PostgreSQL run skipped")
    with temporary_database(request.param, tmp_path) as url:
        yield url
        engine_for(url).dispose()


@pytest.fixture
def writer(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    return script


def expected_counts() -> dict[str, int]:
    namespace: dict = {}
    exec(WRITER.split('if __name__ == "__main__":')[0], namespace)  # the writer's own crawl generator
    cases = set()
    for listing, finding in namespace["crawl"]():
        for violation in finding.violations:
            cases.add((listing.seller.id, violation.mark, violation.code))
    return {"listings": TOTAL, "cases": len(cases)}


def counts(url: str) -> dict[str, int]:
    with session_factory(url)() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("listings", Listing),
                ("sightings", Sighting),
                ("findings", Finding),
                ("violations", Violation),
                ("cases", Case),
                ("case_listings", CaseListing),
            )
        }


def assert_no_half_written_case(url: str) -> None:
    with session_factory(url)() as session:
        for case in session.scalars(select(Case)):
            kinds = [event.kind for event in case.events]
            assert kinds and kinds[0] == "opened", f"case {case.id} has no opening event"
            assert case.listings, f"case {case.id} has no listing"
            assert session.scalar(select(func.count()).where(Violation.case_id == case.id)) >= 1
        orphans = session.scalar(select(func.count()).select_from(Listing).where(~Listing.sightings.any()))
        assert orphans == 0, "a listing without its sighting"
        unfiled = session.scalar(
            select(func.count()).select_from(Violation).where(Violation.case_id.is_(None))
        )
        assert unfiled == 0, "a violation that never reached its case"
        events = session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "opened"))
        assert events == session.scalar(select(func.count()).select_from(Case))


def run_writer(writer, url: str, *, kill_after: int | None = None) -> tuple[int, str]:
    """Run the writer; with `kill_after`, SIGKILL it once that many rows are reported committed."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, str(writer), url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    committed = 0
    try:
        for line in process.stdout:
            if line.startswith("committed "):
                committed = int(line.split()[1])
                if kill_after is not None and committed >= kill_after:
                    # Let the next batch get under way, then pull the plug mid-transaction.
                    time.sleep(0.05)
                    os.kill(process.pid, signal.SIGKILL)
                    break
        process.wait(timeout=240)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return committed, process.stderr.read()


def test_kill_9_mid_batch_loses_nothing_committed_and_next_run_completes(writer, database_url):
    migrate(database_url)
    committed, _ = run_writer(writer, database_url, kill_after=6 * BATCH)
    assert committed >= 6 * BATCH
    after_kill = counts(database_url)
    # Everything reported committed is there; whatever was in flight is wholly absent.
    assert after_kill["listings"] >= committed
    assert after_kill["listings"] % BATCH == 0
    assert after_kill["listings"] < TOTAL, "the writer finished before it could be killed"
    assert after_kill["sightings"] == after_kill["findings"] == after_kill["listings"]
    assert_no_half_written_case(database_url)

    committed, stderr = run_writer(writer, database_url)
    assert committed == TOTAL, stderr
    final = counts(database_url)
    expected = expected_counts()
    assert final["listings"] == expected["listings"]
    assert final["cases"] == expected["cases"]
    assert final["sightings"] == final["findings"] == TOTAL
    assert_no_half_written_case(database_url)
    if database_url.startswith("sqlite"):
        with engine_for(database_url).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
