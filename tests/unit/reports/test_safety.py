"""Which URLs may become links, which cells could become formulas."""

from __future__ import annotations

import pytest

from reports.safety import neutralise_cell, plain_text, safe_href


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://item.taobao.com/item.htm?id=1", True),  # an ordinary listing link
        ("http://127.0.0.1:8080/item/1", True),  # the demo marketplace
        ("HTTPS://EXAMPLE.COM/", True),  # scheme case does not matter
        ("javascript:alert(1)", False),  # script
        (" JaVaScRiPt:alert(1)", False),  # leading space and mixed case
        ("java\tscript:alert(1)", False),  # browsers drop tabs inside schemes
        ("java\nscript:alert(1)", False),  # and newlines
        ("data:text/html,<script>1</script>", False),  # data documents
        ("vbscript:msgbox(1)", False),
        ("file:///etc/passwd", False),  # local files
        ("//evil.example/x", False),  # scheme-relative: depends on where the report is opened
        ("/item/1", False),  # relative: would resolve against the report's own location
        ("https://", False),  # no host
        ("https://exa mple.com/", False),  # whitespace inside
        ("https://[::1", False),  # unparseable
        ("https://shop.example/\u200bitem", False),  # a zero-width character hides in the address
        ("https://\u202eelpmaxe.com/", False),  # a direction override makes the host read backwards
        ("", False),
        (None, False),
    ],
)
def test_safe_href(url, allowed):
    assert safe_href(url) == (url if allowed else None)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),  # formula
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),  # DDE
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),  # tab first
        ("\r=1", "'\r=1"),  # carriage return first
        ("  =1+1", "'  =1+1"),  # formula after leading spaces (spreadsheets trim them)
        ("\u3000=1+1", "'\u3000=1+1"),  # after an ideographic space
        ("奉上好品 =1", "奉上好品 =1"),  # = inside text is harmless
        ("a\x00b\x1fc", "abc"),  # XML-illegal control characters would corrupt an XLSX
        ("", ""),
        (-3.5, -3.5),  # numbers stay numbers
        (42, 42),
        (None, None),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_plain_text_folds_lines_and_shows_invisible_characters():
    assert plain_text("好货\r\n权利人：x\u2028y") == "好货 权利人：x y"
    assert plain_text("abc\u202edcba\x07") == "abc[U+202E]dcba"
    assert plain_text("奉\u200b上好品") == "奉[U+200B]上好品"
    assert plain_text(None) == ""
