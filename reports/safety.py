"""Rules for putting crawled text where it could act: links, spreadsheet cells, plain text.

Listing titles, seller names and URLs come from pages that may be written by
the infringer. HTML escaping is Jinja2's autoescape; what autoescape cannot
decide — whether a URL may become a link, whether a cell may become a
formula — is decided here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

LINK_SCHEMES = ("http", "https")
# Browsers drop tabs and newlines inside URLs, so "java\nscript:" would still run:
# any control character or whitespace makes a URL unlinkable rather than "cleaned".
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
# Spreadsheet programs start a formula (or DDE command) with these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LEADING_SPACE = re.compile(r"^[\s\u3000\ufeff]*")
# XML 1.0 forbids these; openpyxl refuses them and Excel reports a corrupt file.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029]+")


# Characters that change how text reads without being seen: bidirectional overrides
# (a shop name that displays backwards) and zero-width characters (the padding of
# 奉\u200b上好品 that MARK_SIMILAR catches). Reports show them as visible markers.
_INVISIBLE = re.compile(r"[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def reveal_invisible(text: str) -> str:
    """Invisible formatting characters as [U+XXXX], so an officer sees what the page hid."""
    return _INVISIBLE.sub(lambda match: f"[U+{ord(match.group()):04X}]", text)


def safe_href(url: object) -> str | None:
    """The URL if it may be a link (absolute http/https with a host), otherwise None."""
    if not isinstance(url, str) or not url or _UNSAFE_URL_CHARS.search(url) or _INVISIBLE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return url


def neutralise_cell(value: object) -> object:
    """A spreadsheet value that no program will run: text that would start a formula gets a leading '.

    The check looks past leading whitespace because Excel and LibreOffice
    trim it before deciding whether a cell is a formula. Numbers stay numbers.
    """
    if not isinstance(value, str):
        return value
    value = _XML_ILLEGAL.sub("", value)
    stripped = value[_LEADING_SPACE.match(value).end():]
    if value.startswith(FORMULA_TRIGGERS) or stripped.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def plain_text(value: object) -> str:
    """One field's text for a web form or a .txt file.

    Line breaks become spaces so a crawled title cannot forge extra lines
    (a fake 权利人 line, say); control characters go; invisible formatting
    characters are shown as [U+XXXX], as in the HTML.
    """
    if value is None:
        return ""
    return reveal_invisible(_TEXT_CONTROL.sub("", _LINE_BREAKS.sub(" ", str(value))))
