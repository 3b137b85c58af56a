"""Where each platform lives and how politely to crawl it.

Platforms come from two places: the dedicated spiders (built-in defaults below)
and YAML definitions (crawler/platforms/*.yaml shipped with haopin, plus any
*.yaml an officer drops into data_dir()/platforms). A project config file
(`haopin.yaml` in data_dir(), or the file given with --config) overrides base
URLs and Scrapy settings per platform, so the same spiders crawl the demo
marketplace in tests and real hosts in production:

    settings:                      # Scrapy settings for every platform
      AUTOTHROTTLE_TARGET_CONCURRENCY: 1.0
    platforms:
      demo-taobao:
        base_url: https://shop.example.cn
        allowed_hosts: [img.example.cn]    # extra hosts (image CDN) besides base_url's
        settings: {DOWNLOAD_DELAY: 2}
        max_pages: 10
        enabled: true
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.datadir import data_dir

BUILTIN_PLATFORM_DIR = Path(__file__).resolve().parent / "platforms"
CONFIG_FILENAME = "haopin.yaml"
DEFAULT_DEMO_MARKET = "http://127.0.0.1:8765"
DEFAULT_MAX_PAGES = 20

PLATFORM_KEYS = {"base_url", "allowed_hosts", "settings", "max_pages", "enabled", "blocked_markers"}
TOP_KEYS = {"settings", "platforms"}

# Phrases of the verification walls and login gates platforms put up instead of a page.
DEFAULT_BLOCKED_MARKERS = (
    "滑动验证",
    "请完成安全验证",
    "访问被拒绝",
    "请登录后查看",
    "captcha",
    "Access Denied",
)


class ConfigError(ValueError):
    """A config or platform file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class PlatformConfig:
    """One platform as the crawl sees it."""

    slug: str
    base_url: str
    spider: str  # "module:Class" of the spider that crawls it
    demo_path: str | None = None
    render: bool = False
    allowed_hosts: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    max_pages: int = DEFAULT_MAX_PAGES
    enabled: bool = True
    blocked_markers: tuple[str, ...] = DEFAULT_BLOCKED_MARKERS
    definition: Mapping[str, Any] | None = None
    source: str = "built-in"

    @property
    def hosts(self) -> frozenset[str]:
        """host:port pairs requests may go to: base_url's own plus allowed_hosts."""
        return frozenset({netloc(self.base_url), *(_host_entry(h) for h in self.allowed_hosts)})

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


GENERIC_SPIDER = "spiders.generic:GenericSpider"
# Platforms with a dedicated spider: slug -> (spider class, path under a demo marketplace, needs a browser).
DEDICATED = {
    "demo-taobao": ("spiders.demo_taobao:DemoTaobaoSpider", "/taobao", False),
    "demo-jd": ("spiders.demo_jd:DemoJdSpider", "/jd", False),
    "demo-pdd": ("spiders.demo_pdd:DemoPddSpider", "/pdd", True),
    "demo-douyin": ("spiders.demo_douyin:DemoDouyinSpider", "/douyin", False),
}


@dataclass(frozen=True)
class CrawlConfig:
    platforms: Mapping[str, PlatformConfig]
    settings: Mapping[str, Any] = field(default_factory=dict)
    source: str = "defaults"

    def platform(self, slug: str) -> PlatformConfig:
        try:
            return self.platforms[slug]
        except KeyError:
            known = ", ".join(sorted(self.platforms))
            raise ConfigError(f"unknown platform {slug!r} (known: {known})") from None

    def with_market(self, market_url: str) -> CrawlConfig:
        """Point every demo platform at a running demo marketplace (tests, `make demo`)."""
        market = market_url.rstrip("/")
        platforms = {
            slug: replace(p, base_url=market + p.demo_path) if p.demo_path is not None else p
            for slug, p in self.platforms.items()
        }
        return replace(self, platforms=platforms)

    def with_base_url(self, slug: str, base_url: str) -> CrawlConfig:
        _check_url(base_url, f"--base-url {slug}")
        platforms = dict(self.platforms)
        platforms[slug] = replace(self.platform(slug), base_url=base_url.rstrip("/"))
        return replace(self, platforms=platforms)


def netloc(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{(parts.hostname or '').lower()}:{port}"


def _host_entry(entry: str) -> str:
    return netloc(entry if "://" in entry else f"https://{entry}")


def _check_url(url: Any, where: str) -> None:
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL")


def load_config(path: Path | None = None) -> CrawlConfig:
    """Built-in platforms, then YAML platforms, then the project config file on top.

    Without `path`, data_dir()/haopin.yaml is used when it exists.
    """
    platforms: dict[str, PlatformConfig] = {}
    for slug, (spider, demo_path, render) in DEDICATED.items():
        platforms[slug] = PlatformConfig(
            slug=slug, base_url=DEFAULT_DEMO_MARKET + demo_path, spider=spider, demo_path=demo_path, render=render
        )
    user_dir = data_dir() / "platforms"
    for directory in (BUILTIN_PLATFORM_DIR, user_dir):
        for definition_path in sorted(directory.glob("*.yaml")) if directory.is_dir() else ():
            platform = load_platform_definition(definition_path)
            platforms[platform.slug] = platform
    if path is None:
        default = data_dir() / CONFIG_FILENAME
        path = default if default.is_file() else None
    if path is None:
        return CrawlConfig(platforms=platforms)
    return _apply_config_file(path, platforms)


def load_platform_definition(path: Path) -> PlatformConfig:
    """A YAML platform for the generic spider; the full schema is checked by spiders.generic."""
    data = _read_yaml(path)
    where = str(path)
    slug = data.get("platform")
    if not isinstance(slug, str) or not slug.strip():
        raise ConfigError(f"{where}: 'platform' (the slug used in listing records) is required")
    if path.stem != slug:
        raise ConfigError(f"{where}: the file must be named after its platform, i.e. {slug}.yaml")
    base_url = data.get("base_url")
    _check_url(base_url, f"{where}: base_url")
    demo_path = data.get("demo_path")
    if demo_path is not None and (not isinstance(demo_path, str) or not demo_path.startswith("/")):
        raise ConfigError(f"{where}: demo_path must be a path starting with '/'")
    render = data.get("render", False)
    if not isinstance(render, bool):
        raise ConfigError(f"{where}: render must be true or false")
    from spiders.pages.generic import DefinitionError, PlatformDefinition

    try:
        PlatformDefinition.parse(data, where)
    except DefinitionError as error:
        raise ConfigError(str(error)) from None
    return PlatformConfig(
        slug=slug,
        base_url=base_url.rstrip("/"),
        spider=GENERIC_SPIDER,
        demo_path=demo_path,
        render=render,
        allowed_hosts=tuple(_string_list(data.get("allowed_hosts", []), f"{where}: allowed_hosts")),
        max_pages=_positive_int(data.get("max_pages", DEFAULT_MAX_PAGES), f"{where}: max_pages"),
        definition=data,
        source=where,
    )


def _apply_config_file(path: Path, platforms: dict[str, PlatformConfig]) -> CrawlConfig:
    data = _read_yaml(path)
    where = str(path)
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (expected one of {sorted(TOP_KEYS)})")
    settings = _settings(data.get("settings", {}), f"{where}: settings")
    overrides = data.get("platforms", {}) or {}
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"{where}: platforms must be a mapping of platform slug to settings")
    for slug, values in overrides.items():
        key_path = f"{where}: platforms.{slug}"
        if slug not in platforms:
            raise ConfigError(f"{key_path}: unknown platform (known: {', '.join(sorted(platforms))})")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{key_path}: must be a mapping")
        unknown = sorted(set(values) - PLATFORM_KEYS)
        if unknown:
            raise ConfigError(f"{key_path}.{unknown[0]}: unknown key (expected one of {sorted(PLATFORM_KEYS)})")
        changes: dict[str, Any] = {}
        if "base_url" in values:
            _check_url(values["base_url"], f"{key_path}.base_url")
            changes["base_url"] = values["base_url"].rstrip("/")
        if "allowed_hosts" in values:
            changes["allowed_hosts"] = tuple(_string_list(values["allowed_hosts"], f"{key_path}.allowed_hosts"))
        if "blocked_markers" in values:
            changes["blocked_markers"] = tuple(
                _string_list(values["blocked_markers"], f"{key_path}.blocked_markers")
            )
        if "settings" in values:
            changes["settings"] = _settings(values["settings"], f"{key_path}.settings")
        if "max_pages" in values:
            changes["max_pages"] = _positive_int(values["max_pages"], f"{key_path}.max_pages")
        if "enabled" in values:
            if not isinstance(values["enabled"], bool):
                raise ConfigError(f"{key_path}.enabled: must be true or false")
            changes["enabled"] = values["enabled"]
        platforms[slug] = replace(platforms[slug], **changes)
    return CrawlConfig(platforms=platforms, settings=settings, source=where)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{line} is not valid YAML ({getattr(error, 'problem', error)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping at the top level")
    return data


def _settings(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: must be a mapping of Scrapy setting names to values")
    for name in value:
        if not isinstance(name, str) or not name.isupper():
            raise ConfigError(f"{where}: {name!r} is not a Scrapy setting name (UPPER_CASE)")
    return dict(value)


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: must be a list of non-empty strings")
    return value


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: must be a whole number of at least 1")
    return value
