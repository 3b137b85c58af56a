"""`haopin demo-market`: serve the bundled demo marketplace until interrupted."""

from __future__ import annotations

import argparse

DEFAULT_PORT = 8765


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo-market",
        help="serve the demo marketplace (5 platform flavours) on this machine",
        description="Serve the bundled demo marketplace: demo-taobao, demo-jd, demo-pdd, demo-douyin and "
        "demo-xianyu on one local server. See docs/demo-marketplace.md.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any free port)")
    parser.add_argument("--seed", type=int, default=1, help="catalogue seed (default 1)")
    parser.add_argument("--size", type=int, default=None, help="listings per flavour (default 80)")
    parser.add_argument("--week", type=int, default=0, help="catalogue week: later weeks take down and relist items")
    parser.add_argument("--pack", default=None, help="brand pack folder (default brandpacks/fengjie)")
    parser.add_argument("--failure-rate", type=float, default=0.05, help="share of targets failing with 5xx at first")
    parser.add_argument("--slow-rate", type=float, default=0.02, help="share of targets answering slowly at first")
    parser.add_argument("--slow-delay", type=float, default=3.0, help="seconds a slow answer takes (default 3)")
    parser.add_argument("--rate-limit", type=int, default=20,
                        help="requests per second per client and flavour before 429 (default 20; 0 = no limit)")
    parser.add_argument("--ground-truth", metavar="FILE", default=None,
                        help="write the expected violation codes of every listing to FILE (JSON)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import signal
    import sys
    from pathlib import Path

    from aiohttp import web

    from crawler.cli import UsageError, load_pack_or_usage_error
    from demo.app import MARKET, create_app
    from demo.catalogue import DEFAULT_SIZE, PREFIXES, truth_of

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0-65535)")
    if args.size is not None and args.size < 1:
        raise UsageError(f"--size {args.size} must be at least 1")
    if args.week < 0:
        raise UsageError(f"--week {args.week} must be 0 or later")
    pack = load_pack_or_usage_error(args.pack) if args.pack else None
    try:
        app = create_app(
            args.seed, size=args.size or DEFAULT_SIZE, week=args.week, failure_rate=args.failure_rate,
            slow_rate=args.slow_rate, slow_delay=args.slow_delay, rate_limit=args.rate_limit, pack=pack,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    market = app[MARKET]
    if args.ground_truth:
        target = Path(args.ground_truth)
        target.parent.mkdir(parents=True, exist_ok=True)
        truth_of(market.catalogue, market.pack).write(target)

    async def serve() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, args.host, args.port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
        port = runner.addresses[0][1]
        server = f"http://{args.host}:{port}"
        print(f"demo marketplace (seed {args.seed}, week {args.week}, "
              f"{len(market.catalogue.products)} listings) on {server}", flush=True)
        for platform, prefix in PREFIXES.items():
            print(f"{platform} {server}/{prefix}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            print(f"stopped; {market.stats.requests} requests served", file=sys.stderr, flush=True)

    asyncio.run(serve())
    return 0
