"""`haopin demo`: the whole weekly job against the bundled demo marketplace, scored against its ground truth."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from crawler.cli import UsageError

# Half the marketplace's own default: every category of listing is still there, and the whole
# job, evidence for every new case included, stays well inside ten minutes on two cores.
DEMO_SIZE = 40


def register(subparsers) -> None:
    from crawler.commands.run import add_job_options

    parser = subparsers.add_parser(
        "demo",
        help="演示: run the weekly job on the bundled demo marketplace and score it against the ground truth",
        description=(
            "启动本机演示电商市场 (127.0.0.1)，完整运行一次每周任务（爬取、检测、入库、取证、周报），"
            "然后关闭市场，并对照市场的真实标注给出查全率与查准率。"
            " Demo data lives in <data>/demo and is started afresh on every run."
        ),
    )
    add_job_options(parser)
    parser.add_argument("--seed", type=int, default=1, help="catalogue seed of the demo marketplace (default 1)")
    parser.add_argument("--size", type=int, default=DEMO_SIZE,
                        help=f"catalogue size per platform (default {DEMO_SIZE}: every kind of case, a few minutes)")
    parser.add_argument("--failure-rate", type=float, default=0.05,
                        help="share of requests the marketplace fails with 5xx, to show retries (default 0.05)")
    parser.add_argument("--rate-limit", type=int, default=300,
                        help="requests per client per second before the marketplace answers 429 (default 300)")
    parser.set_defaults(handler=run_demo)


def run_demo(args) -> int:
    from crawler.commands.run import echo, job_options, print_outcome
    from crawler.datadir import data_dir
    from crawler.job import JobError, run_job
    from demo.testing import running_market

    if not 0.0 <= args.failure_rate < 0.5:
        raise UsageError("--failure-rate must be at least 0 and below 0.5")
    demo_dir = data_dir() / "demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    os.environ["HAOPIN_DATA_DIR"] = str(demo_dir)
    if args.db is None:
        args.db = f"sqlite:///{data_dir() / 'haopin.sqlite'}"
    if args.size < 1:
        raise UsageError("--size must be at least 1")
    market_options = {"failure_rate": args.failure_rate, "rate_limit": args.rate_limit, "size": args.size}
    with running_market(args.seed, **market_options) as market:
        echo(f"演示市场 demo marketplace on {market.url} (seed {args.seed})")
        options = job_options(args, market=market.url)
        try:
            result = run_job(options, echo=echo)
        except JobError as error:
            echo(f"haopin demo: {error}")
            return 4
        truth = market.ground_truth
    echo("演示市场已关闭 demo marketplace stopped")
    score = score_against_truth(result.findings_path, truth)
    (result.run_dir / "ground-truth-score.json").write_text(json.dumps(score, ensure_ascii=False, indent=2),
                                                            encoding="utf-8")
    print_outcome(result)
    print(summary_line(score))
    return result.exit_status


def score_against_truth(findings_path: Path, truth) -> dict:
    """Listing-level agreement of the findings with the marketplace's labels.

    A listing counts as found when it is labelled infringing and flagged, as a
    false flag when flagged but labelled clean, as missed when labelled infringing,
    reachable by the pack's keywords, and not flagged (crawled or not).
    """
    expected = {(e.platform, e.listing_id): e for e in truth.listings}
    flagged: dict[tuple[str, str], frozenset[str]] = {}
    with findings_path.open(encoding="utf-8") as findings:
        for line in findings:
            finding = json.loads(line)
            codes = frozenset(v["code"] for v in finding["violations"])
            if codes:
                flagged[(finding["platform"], finding["listing_id"])] = codes
    positives = {key for key, entry in expected.items() if entry.expected and entry.reachable}
    found = positives & flagged.keys()
    false_flags = sorted(key for key in flagged if not (key in expected and expected[key].expected))
    missed = sorted(positives - flagged.keys())
    exact = sum(1 for key in found if flagged[key] == expected[key].expected)
    precision = len(found) / (len(found) + len(false_flags)) if found or false_flags else 1.0
    recall = len(found) / len(positives) if positives else 1.0
    return {
        "found": len(found),
        "missed": len(missed),
        "false_flags": len(false_flags),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "codes_exact": exact,
        "missed_listings": [f"{p}:{i}" for p, i in missed],
        "false_flag_listings": [f"{p}:{i} {sorted(flagged[(p, i)])}" for p, i in false_flags],
    }


def summary_line(score: dict) -> str:
    return (
        f"对照真实标注 vs ground truth: found {score['found']}, missed {score['missed']}, "
        f"false flags {score['false_flags']}, precision {score['precision']:.3f}, recall {score['recall']:.3f} "
        f"(violation codes exactly right on {score['codes_exact']}/{score['found']})"
    )
