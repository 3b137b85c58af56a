"""The complaint channels a notice can be addressed to (电子商务法 第四十二条 notices).

Each platform's intellectual-property complaint form asks for the same core
facts under its own names (商品ID, SKU, goods_id); the letter uses the
platform's words so an officer can copy fields across one by one.
"""

from __future__ import annotations

from reports.viewmodels import NoticeTemplate

NOTICE_TEMPLATES: dict[str, NoticeTemplate] = {
    "taobao": NoticeTemplate(
        slug="taobao",
        addressee="阿里巴巴知识产权保护平台（淘宝 / 天猫）",
        channel="阿里巴巴知识产权保护平台（ipp.alibabagroup.com）“发起投诉”—“商标权”",
        listing_id_label="商品ID",
        shop_label="店铺名称",
        extra_requests=("权利人身份证明（营业执照或统一社会信用代码证书）", "商标注册证或地理标志登记证明"),
    ),
    "jd": NoticeTemplate(
        slug="jd",
        addressee="京东知识产权保护平台",
        channel="京东知识产权保护平台（ipr.jd.com）“发起投诉”—“商标侵权”",
        listing_id_label="商品SKU",
        shop_label="店铺名称",
        extra_requests=("权利人主体资格证明", "商标注册证及核定使用商品页"),
    ),
    "pdd": NoticeTemplate(
        slug="pdd",
        addressee="拼多多知识产权保护平台",
        channel="拼多多知识产权保护平台（ipr.pinduoduo.com）“侵权投诉”",
        listing_id_label="商品ID（goods_id）",
        shop_label="店铺名称",
        extra_requests=("权利人主体资格证明", "权利证明（商标注册证 / 地理标志证明）"),
    ),
    "douyin": NoticeTemplate(
        slug="douyin",
        addressee="抖音电商知识产权保护平台",
        channel="抖音电商知识产权保护平台“发起投诉”—“商标权”",
        listing_id_label="商品ID",
        shop_label="店铺名称",
        extra_requests=("权利人主体资格证明", "权利证明文件", "涉及直播或短视频时，附直播间或视频链接"),
    ),
    "generic": NoticeTemplate(
        slug="generic",
        addressee="电子商务平台经营者",
        channel="平台知识产权投诉渠道",
        listing_id_label="商品编号",
        shop_label="店铺（经营者）名称",
        extra_requests=("权利人主体资格证明", "权利证明文件"),
    ),
}


def notice_template(slug: str) -> NoticeTemplate:
    """The template for `slug`; KeyError names the ones that exist."""
    try:
        return NOTICE_TEMPLATES[slug]
    except KeyError:
        raise KeyError(f"unknown notice template {slug!r}; choose one of {', '.join(NOTICE_TEMPLATES)}") from None


def template_for_platform(platform: str) -> str:
    """The template matching a listing's platform slug (`demo-jd` -> `jd`), else `generic`."""
    base = platform.removeprefix("demo-")
    if base == "tmall":
        return "taobao"
    return base if base in NOTICE_TEMPLATES else "generic"
