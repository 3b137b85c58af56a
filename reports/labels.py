"""Chinese display names for the codes officers see in reports and notices.

Unknown codes fall back to the code itself, so a code added later still shows.
"""

from __future__ import annotations

from cases.labels import CODE_LABELS, STATUS_LABELS

VIOLATION_NAMES = CODE_LABELS

# What a platform's complaint form calls the right infringed: trademark complaints
# and false-advertising (unfair competition) complaints go down different paths.
COMPLAINT_TYPES = {
    "MARK_UNAUTHORISED": "商标权（注册商标专用权）",
    "MARK_SIMILAR": "商标权（注册商标专用权）",
    "LOGO_UNAUTHORISED": "商标权（注册商标专用权）",
    "LICENCE_LAPSED": "商标权（注册商标专用权）",
    "OUT_OF_SCOPE": "商标权（注册商标专用权）",
    "GI_FALSE_ORIGIN": "商标权（地理标志证明商标）",
    "FALSE_AUTH_CLAIM": "虚假宣传（不正当竞争）",
    "FALSE_TRACE_CLAIM": "虚假宣传（不正当竞争）",
}

STATUS_NAMES = STATUS_LABELS

PLATFORM_NAMES = {
    "taobao": "淘宝",
    "tmall": "天猫",
    "jd": "京东",
    "pdd": "拼多多",
    "douyin": "抖音",
    "kuaishou": "快手",
    "xianyu": "闲鱼",
}

FIELD_NAMES = {
    "title": "标题",
    "description": "商品描述",
    "seller": "店铺信息",
    "ship_from": "发货地",
    "attributes": "商品参数",
}


def violation_name(code: str) -> str:
    return VIOLATION_NAMES.get(code, code)


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def platform_name(slug: str) -> str:
    """`demo-taobao` reads as 淘宝（演示）: the demo marketplace must never pass for the real one."""
    base = slug.removeprefix("demo-")
    name = PLATFORM_NAMES.get(base, base)
    return f"{name}（演示）" if slug.startswith("demo-") else name


def field_name(field: str) -> str:
    if field.startswith("image:"):
        index = field.partition(":")[2]
        return f"商品图片 {int(index) + 1}" if index.isdigit() else "商品图片"
    return FIELD_NAMES.get(field, field)


def complaint_type(code: str) -> str:
    return COMPLAINT_TYPES.get(code, "知识产权")
