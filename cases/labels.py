"""Chinese labels shown beside codes, so officers read 已立案 rather than `escalated`.

The one table of these names: the CLI, the reports and the notices all word a code alike."""

from __future__ import annotations

import unicodedata

STATUS_LABELS = {
    "new": "新发现",
    "triaged": "已初筛",
    "confirmed": "已确认侵权",
    "notice_sent": "已发投诉",
    "removed": "已下架",
    "dismissed": "已排除（误报）",
    "escalated": "已立案",
}

CODE_LABELS = {
    "MARK_UNAUTHORISED": "未经授权使用注册商标",
    "MARK_SIMILAR": "近似标识",
    "LOGO_UNAUTHORISED": "未经授权使用图形标志",
    "GI_FALSE_ORIGIN": "地理标志产地不符",
    "FALSE_AUTH_CLAIM": "虚假授权宣传",
    "FALSE_TRACE_CLAIM": "虚假溯源宣传",
    "LICENCE_LAPSED": "授权失效后继续使用",
    "OUT_OF_SCOPE": "超出授权范围使用",
}

EVENT_LABELS = {
    "opened": "立档",
    "listing": "新增商品",
    "relisting": "重新上架",
    "status": "状态变更",
    "note": "备注",
    "assign": "指派",
    "evidence": "取证",
    "allow_removed": "撤销白名单",
}


def status_label(status: str) -> str:
    return f"{STATUS_LABELS.get(status, status)} ({status})"


def code_label(code: str) -> str:
    return f"{CODE_LABELS.get(code, code)} ({code})"


def printable(text: str) -> str:
    """Text from crawled pages made safe for a terminal: control characters (escape sequences that
    could rewrite the screen, line breaks that fake rows) and invisible format characters (bidi
    overrides, zero-width joiners used to disguise marks) are shown as \\uXXXX instead of acting."""
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(ch):04x}" if _hidden(ch) else ch for ch in text)


def _hidden(ch: str) -> bool:
    # Spaces of every width (e.g. the ideographic space U+3000 in Chinese text) stay as they are.
    return not ch.isprintable() and unicodedata.category(ch) != "Zs"
