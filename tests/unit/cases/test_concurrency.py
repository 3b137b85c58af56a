"""Two crawls writing the same listings at once: the database's constraints decide, the loser retries,
and nothing is stored twice."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from cases.models import Case, Listing, Sighting
from cases.store import CaseRecorder
from cases.testing import make_finding, make_listing


def crawl():
    pairs = []
    for n in range(120):
        listing = make_listing(str(n), seller_id=f"s{n % 7}", captured_at="2026-11-27T10:00:00+08:00")
        pairs.append((listing, make_finding(listing, ("GI_FALSE_ORIGIN", "FJQC"))))
    return pairs


def test_two_concurrent_writers_store_everything_once(Session):
    pairs = crawl()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(order):
        try:
            barrier.wait()
            with CaseRecorder(Session, batch_size=15) as recorder:
                for pair in order:
                    recorder.add(*pair)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [
        threading.Thread(target=write, args=(pairs,)),
        threading.Thread(target=write, args=(pairs[::-1],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with Session() as session:
        assert session.scalar(select(func.count()).select_from(Listing)) == 120
        assert session.scalar(select(func.count()).select_from(Sighting)) == 120
        assert session.scalar(select(func.count()).select_from(Case)) == 7
