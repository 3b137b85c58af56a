"""Run the demo marketplace in a background thread: for tests, benchmarks and `haopin demo`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from demo.app import MARKET, Market, create_app
from demo.catalogue import PLATFORMS, PREFIXES, Catalogue, GroundTruth, truth_of

STARTUP_TIMEOUT = 30.0


@dataclass
class RunningMarket:
    """A marketplace being served on `url`; `str(market)` is the URL too."""

    url: str
    market: Market
    _truth: GroundTruth | None = None

    def __str__(self) -> str:
        return self.url

    def base_url(self, platform: str) -> str:
        if platform not in PREFIXES:
            raise KeyError(f"{platform!r} is not a demo platform (one of {', '.join(PLATFORMS)})")
        return f"{self.url}/{PREFIXES[platform]}"

    @property
    def platform_urls(self) -> dict[str, str]:
        return {platform: self.base_url(platform) for platform in PLATFORMS}

    @property
    def catalogue(self) -> Catalogue:
        return self.market.catalogue

    @property
    def ground_truth(self) -> GroundTruth:
        if self._truth is None:
            self._truth = truth_of(self.market.catalogue, self.market.pack)
        return self._truth

    @property
    def stats(self) -> dict[str, Any]:
        return self.market.stats.snapshot()

    def reset(self) -> None:
        """Forget failure attempts and rate windows: the next crawl meets the same faults again."""
        self.market.reset()


@contextmanager
def running_market(seed: int = 1, *, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Iterator[RunningMarket]:
    """Serve `create_app(seed, **options)` on host:port (0 = any free port) until the block ends."""
    app = create_app(seed, **options)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def start() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        state["runner"] = runner
        state["port"] = runner.addresses[0][1]

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as error:  # reported to the caller's thread below
            state["error"] = error
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(state["runner"].cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name=f"demo-market-{seed}", daemon=True)
    thread.start()
    if not ready.wait(STARTUP_TIMEOUT):
        raise RuntimeError("the demo marketplace did not start within 30 s")
    if "error" in state:
        raise RuntimeError(f"the demo marketplace could not start on {host}:{port}: {state['error']}") from state["error"]
    try:
        yield RunningMarket(url=f"http://{host}:{state['port']}", market=app[MARKET])
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=STARTUP_TIMEOUT)
