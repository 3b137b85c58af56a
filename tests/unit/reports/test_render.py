"""Templates render hostile listing data as inert text, and still show it."""

from __future__ import annotations

from lxml import html as lxml_html

from reports.render import (
    content_security_policy,
    render_dossier_html,
    render_notice_html,
    render_notice_text,
    render_weekly_html,
    stylesheet,
)
from reports.testing import (
    HOSTILE_COMPANY,
    HOSTILE_SELLER,
    HOSTILE_TITLE,
    HOSTILE_URL,
    assert_inert_html,
    make_case,
    make_weekly,
)


def text_of(html: str) -> str:
    return lxml_html.document_fromstring(html).text_content()


def test_weekly_report_is_inert_and_shows_the_hostile_text_literally(weekly_report):
    html = render_weekly_html(weekly_report)
    assert_inert_html(html)
    text = text_of(html)
    assert HOSTILE_TITLE in text  # shown as the seller wrote it, not executed
    assert HOSTILE_SELLER in text
    assert HOSTILE_COMPANY in text
    assert HOSTILE_URL in text  # visible for the officer, but not a link


def test_a_javascript_url_is_rendered_as_text_not_a_link(weekly_report):
    document = lxml_html.document_fromstring(render_weekly_html(weekly_report))
    inert = [span.text_content() for span in document.xpath('//span[contains(@class, "inert")]')]
    assert HOSTILE_URL in inert
    links = document.xpath("//a/@href")
    assert "https://demo-taobao.test/item/8800002" in links
    assert not [href for href in links if "javascript" in href.lower()]


def test_matched_sign_is_highlighted_beside_the_registered_one():
    case = make_case(1)
    document = lxml_html.document_fromstring(render_weekly_html(make_weekly([case])))
    assert document.xpath("//mark/text()") == ["奉上好吕"]
    assert "奉上好品" in document.xpath('//*[@class="registered"]/text()')
    assert document.xpath('//img[@alt="商品图中的疑似标志"]') and document.xpath('//img[@alt="注册标志"]')


def test_violation_codes_are_shown_with_chinese_names(weekly_report):
    text = text_of(render_weekly_html(weekly_report))
    assert "近似标识" in text
    assert "新发现" in text


def test_cases_beyond_the_detail_limit_go_to_the_compact_table():
    cases = [make_case(i, risk=1 - i / 100) for i in range(1, 6)]
    document = lxml_html.document_fromstring(render_weekly_html(make_weekly(cases)))
    assert len(document.xpath('//section[@class="case"]')) == 2  # detail_limit in make_weekly
    assert len(document.xpath("//h3[text()='其余案件']/following-sibling::table[1]/tbody/tr")) == 3


def test_print_version_caps_the_case_list_and_points_to_the_csv(monkeypatch):
    import reports.render as render

    monkeypatch.setattr(render, "PRINT_ROW_LIMIT", 2)
    cases = [make_case(i, risk=1 - i / 100) for i in range(1, 11)]
    html = render.render_weekly_html(make_weekly(cases), for_print=True)
    document = lxml_html.document_fromstring(html)
    assert len(document.xpath("//h3[text()='其余案件']/following-sibling::table[1]/tbody/tr")) == 2
    assert "cases-2026-W48.csv" in document.xpath('string(//p[@class="note"])')
    full = lxml_html.document_fromstring(render.render_weekly_html(make_weekly(cases)))
    assert len(full.xpath("//h3[text()='其余案件']/following-sibling::table[1]/tbody/tr")) == 8


def test_dossier_is_inert_and_lists_hashes_events_and_the_screenshot(dossier):
    html = render_dossier_html(dossier)
    assert_inert_html(html)
    text = text_of(html)
    assert "d" * 64 in text  # manifest hash
    assert "c" * 64 in text  # evidence file hash
    assert "王警官" in text and "已确认" in text
    assert "<script>1</script>" in text  # a hostile tool version is text
    document = lxml_html.document_fromstring(html)
    pieces = document.xpath('//img[@alt="页面完整截图"]/@src')
    assert len(pieces) == 3 and all(src.startswith("data:image/") for src in pieces)  # 300x900 in 1.3:1 slices


def test_notice_is_inert_and_names_article_42_and_the_truthfulness_statement(notice):
    html = render_notice_html(notice)
    assert_inert_html(html)
    text = text_of(html)
    assert "电子商务法" in text and "第四十二条" in text
    assert "本通知人保证" in text
    assert "阿里巴巴知识产权保护平台" in text
    assert "商品ID" in text and notice.case.listing_id in text
    assert "投诉类型：商标权（注册商标专用权）" in text  # MARK_SIMILAR is a trademark complaint
    assert "c" * 64 in text


def test_plain_text_notice_keeps_one_field_per_line(notice):
    from dataclasses import replace

    forged = replace(notice, case=replace(notice.case, title="好货\n权利人：某某骗子公司\r\n"))
    text = render_notice_text(forged)
    assert "商品标题：好货 权利人：某某骗子公司" in text
    assert [line for line in text.splitlines() if line.startswith("权利人：")] == ["权利人：奉节县市场监督管理局"] * 2
    assert "<script>alert(1)</script>" in render_notice_text(notice)  # plain text is not HTML-escaped


def test_the_csp_allows_exactly_the_stylesheet_that_is_embedded(weekly_report):
    html = render_weekly_html(weekly_report)
    policy = content_security_policy(stylesheet())
    assert f'content="{policy}"' in html.replace("&#39;", "'")
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert content_security_policy(stylesheet() + " ") != policy


def test_invisible_characters_are_shown_not_hidden():
    from reports.testing import make_case, make_weekly

    case = make_case(1, title="奉\u200b上好品 脐橙", seller_name="\u202egpj.店", url="https://x.test/\u200bitem")
    document = lxml_html.document_fromstring(render_weekly_html(make_weekly([case])))
    text = document.text_content()
    assert "奉[U+200B]上好品 脐橙" in text
    assert "[U+202E]gpj.店" in text and "\u202e" not in text
    assert "https://x.test/[U+200B]item" in text and not document.xpath('//a[contains(@href, "x.test")]')
