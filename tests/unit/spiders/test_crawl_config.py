"""Platform configuration: built-in platforms, YAML platforms and the project config file on top."""

from __future__ import annotations

import pytest

from crawler.config import ConfigError, load_config, load_platform_definition

XIANYU = "crawler/platforms/demo-xianyu.yaml"


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HAOPIN_DATA_DIR", str(tmp_path / "data"))


def test_every_demo_flavour_is_a_platform_and_xianyu_comes_from_yaml():
    config = load_config()
    assert {"demo-taobao", "demo-jd", "demo-pdd", "demo-douyin", "demo-xianyu"} <= set(config.platforms)
    assert config.platform("demo-xianyu").spider == "spiders.generic:GenericSpider"
    assert config.platform("demo-pdd").render is True
    assert config.platform("demo-taobao").render is False


def test_market_points_demo_platforms_at_one_server_and_hosts_follow():
    config = load_config().with_market("http://127.0.0.1:41234/")
    taobao = config.platform("demo-taobao")
    assert taobao.base_url == "http://127.0.0.1:41234/taobao"
    assert taobao.hosts == {"127.0.0.1:41234"}
    assert config.platform("demo-xianyu").base_url == "http://127.0.0.1:41234/xianyu"


def test_config_file_overrides_base_url_settings_and_extra_hosts(tmp_path):
    path = tmp_path / "haopin.yaml"
    path.write_text(
        "settings: {DOWNLOAD_DELAY: 3}\n"
        "platforms:\n"
        "  demo-jd:\n"
        "    base_url: https://item.example.cn/\n"
        "    allowed_hosts: [img.example.cn]\n"
        "    settings: {CONCURRENT_REQUESTS_PER_DOMAIN: 1}\n"
        "    enabled: false\n",
        encoding="utf-8",
    )
    config = load_config(path)
    jd = config.platform("demo-jd")
    assert jd.base_url == "https://item.example.cn"
    assert jd.hosts == {"item.example.cn:443", "img.example.cn:443"}
    assert jd.settings == {"CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    assert jd.enabled is False
    assert config.settings == {"DOWNLOAD_DELAY": 3}


def test_config_in_data_dir_is_used_without_flag(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "haopin.yaml").write_text("platforms: {demo-jd: {max_pages: 2}}\n", encoding="utf-8")
    assert load_config().platform("demo-jd").max_pages == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("platfroms: {}\n", "unknown key 'platfroms'"),
        ("platforms: {demo-nowhere: {}}\n", "platforms.demo-nowhere: unknown platform"),
        ("platforms: {demo-jd: {base_url: ftp://x}}\n", "platforms.demo-jd.base_url"),
        ("platforms: {demo-jd: {base_ur: http://x}}\n", "platforms.demo-jd.base_ur: unknown key"),
        ("platforms: {demo-jd: {max_pages: 0}}\n", "platforms.demo-jd.max_pages"),
        ("settings: {download_delay: 1}\n", "is not a Scrapy setting name"),
        ("platforms: [\n", "is not valid YAML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, expected):
    path = tmp_path / "haopin.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_officer_platform_in_data_dir_is_loaded(tmp_path, repo_root):
    platforms = tmp_path / "data" / "platforms"
    platforms.mkdir(parents=True)
    text = (repo_root / XIANYU).read_text(encoding="utf-8").replace("demo-xianyu", "shop-local")
    (platforms / "shop-local.yaml").write_text(text, encoding="utf-8")
    assert load_config().platform("shop-local").spider == "spiders.generic:GenericSpider"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('url: "/search?keyword={keyword}&page={page}"', 'url: "/search?page={page}"', "search.url"),
        ("kind: next_link", "kind: scroll", "search.pagination.kind"),
        ('title: {css: "div.item-main div.item-title h2", required: true}',
         'titel: {css: "h2"}', "item.fields.titel: not a listing field"),
        ('listing_id: {css: "a.feed-link::attr(href)", re: "[?&]id=(\\\\d+)"}',
         'listing_id: {css: "a", re: "(unclosed"}', "search.listing_id.re"),
        ("encoding: utf-8", "encoding: klingon-8", "encoding 'klingon-8'"),
    ],
)
def test_bad_platform_definition_names_the_key(tmp_path, repo_root, old, new, expected):
    text = (repo_root / XIANYU).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "demo-xianyu.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_platform_definition(path)
    assert expected in str(error.value)
    assert str(path) in str(error.value)
