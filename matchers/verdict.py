"""The verdict on one listing: every rule of CONTRACT §3 with the precedence of §4.

`Judge(pack).judge(listing, images=...)` returns a `Finding`. The steps:

1. find every use of a pack sign — word marks and GI names in the title,
   description, shop/company name, attribute values and text read from images,
   and logos detected in images (text inside a logo's box belongs to the logo);
2. resolve the seller to its licence rows and decide its standing per sign on
   the listing's capture date (pack time zone); with several rows the most
   favourable one for that sign decides;
3. turn each use into a code: licence codes (LICENCE_LAPSED, OUT_OF_SCOPE)
   replace unauthorised-use codes; GI names never give MARK_*; a GI name is a
   violation only when the goods come from outside the origin area;
4. claims (授权, 溯源, 产地) in any text, image text included, count only next
   to a sign and only for a seller that is not an authorised licensee for a
   sign the listing uses; an origin claim about the goods' true origin
   (赣南原产地直发 shipped from 江西) is not a claim about the GI;
5. keep one violation per (code, mark) with the best evidence, write a Chinese
   reason for each, and weigh the risk, including a price far below the pack's
   reference price and "fresh" GI goods offered out of season.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from matchers.claims import ClaimFinder, ClaimHit
from matchers.licence import (
    AUTHORISED,
    NOT_YET_VALID,
    SHOP_CACHE_SIZE,
    STANDING_ORDER,
    STATUS_NAMES,
    SUSPENDED,
    BoundedCache,
    LicenceRegister,
    Standing,
    goods_related,
)
from matchers.pack import BrandPack, Licensee, Mark
from matchers.places import KNOWN_REGIONS, PROVINCES, OriginCheck, OriginMatcher
from matchers.records import Evidence, Finding, Listing, Violation
from matchers.text import MarkHit, MarkMatcher
from matchers.vision_types import ImageAnalysis

# Citations used when the pack does not give one for a code.
BUILTIN_LEGAL_BASIS = {
    "MARK_UNAUTHORISED": "《中华人民共和国商标法》第五十七条第（一）项",
    "MARK_SIMILAR": "《中华人民共和国商标法》第五十七条第（二）项",
    "LOGO_UNAUTHORISED": "《中华人民共和国商标法》第五十七条第（一）项、第（二）项",
    "GI_FALSE_ORIGIN": "《中华人民共和国商标法》第十六条、第五十七条；《中华人民共和国产品质量法》第五条",
    "FALSE_AUTH_CLAIM": "《中华人民共和国反不正当竞争法》（2025年修订）第七条、第九条",
    "FALSE_TRACE_CLAIM": "《中华人民共和国反不正当竞争法》（2025年修订）第九条；《中华人民共和国广告法》第二十八条",
    "LICENCE_LAPSED": "《中华人民共和国商标法》第五十七条第（一）项",
    "OUT_OF_SCOPE": "《中华人民共和国商标法》第五十七条；商标使用许可合同约定的商品范围",
}

RULE_WORDING = {
    "homophone": ("读音相同或相近的", "谐音"),
    "lookalike": ("字形相近的", "形近字"),
    "traditional": ("繁体写法的", "繁体字"),
    "split": ("拆分或插入符号的", "拆字、加符号"),
    "pinyin": ("拼音写法的", "拼音"),
}
FIELD_ORDER = {"title": 0, "attributes": 1, "description": 2, "seller": 3}
# Attribute keys whose value says where the goods come from.
ORIGIN_ATTRIBUTES = ("产地", "原产地", "发货地", "产区", "商品产地", "省份", "产地省份")
FRESH_WORDS = ("当季", "现摘", "新鲜", "现采", "鲜摘", "应季", "新果", "鲜果")
_CLAIM_CODES = {"authorisation": "FALSE_AUTH_CLAIM", "traceability": "FALSE_TRACE_CLAIM"}
_CLAIM_SCORE = 0.85
_PLACE_WINDOW = 8

# Weights to kilograms for unit-aware price checks.
_KG_PER_UNIT = {
    "斤": 0.5,
    "市斤": 0.5,
    "公斤": 1.0,
    "千克": 1.0,
    "kg": 1.0,
    "克": 0.001,
    "g": 0.001,
    "两": 0.05,
}
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(市斤|公斤|千克|kg|斤|克|g|两)(?![a-z])", re.IGNORECASE)
_MULTIPLIER = re.compile(r"^\s*[x×*]\s*(\d{1,3})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Text:
    field: str
    text: str
    where: str  # Chinese name of the place, e.g. 标题, 商品属性“品牌”
    bbox: tuple[int, int, int, int] | None = None  # for text read from an image


@dataclass(frozen=True, slots=True)
class SignUse:
    """One use of a pack sign in a listing: a text hit or a logo hit."""

    mark: Mark
    evidence: Evidence
    where: str
    matched: str
    rule: str  # MarkHit rule, or "logo"
    exact: bool
    score: float
    explanation: str

    @property
    def rank(self) -> tuple:
        field = self.evidence.field
        order = FIELD_ORDER.get(field, 4)
        start = self.evidence.span[0] if self.evidence.span else 0
        return (-self.score, not self.exact, order, start)


class Judge:
    """Applies a brand pack's rules to listings. Build once per pack; `judge` is pure."""

    def __init__(self, pack: BrandPack):
        self.pack = pack
        self._marks = {mark.id: mark for mark in pack.marks}
        self._matcher = MarkMatcher(pack.marks, exceptions=pack.exceptions)
        self._claims = ClaimFinder(pack.claims)
        self._register = LicenceRegister(pack)
        self._origins = {mark.id: OriginMatcher(mark.origin) for mark in pack.gi_marks}
        self._brand_of = {mark.id: self._brand_name(mark) for mark in pack.marks}
        # One shop has many listings: its name is matched once, not once per listing.
        self._seller_hits: BoundedCache[str, list[MarkHit]] = BoundedCache(SHOP_CACHE_SIZE)
        parents: set[str] = set()
        for matcher in self._origins.values():
            parents |= matcher.parents
        # Places that, written beside an origin claim, say the goods come from somewhere else.
        self._other_places = tuple(p for p in PROVINCES if p not in parents) + KNOWN_REGIONS

    # -- public -------------------------------------------------------------

    def judge(self, listing: Listing, *, images: Sequence[ImageAnalysis] = ()) -> Finding:
        licensees = self._register.resolve_all(listing)
        licensee_id = licensees[0].licensee_id if licensees else None
        texts = self._texts(listing)
        uses = self._text_uses(texts)
        uses.extend(self._image_uses(images, texts))
        if not uses:
            return Finding(listing.platform, listing.listing_id, (), 0.0, licensee_id)
        day = self._register.local_day(listing)
        context = _Context(self, listing, licensees, day, texts)
        violations = context.decide(uses)
        risk = context.risk(violations, uses)
        if len(licensees) > 1:
            licensee_id = context.deciding_licensee_id(uses) or licensee_id
        return Finding(listing.platform, listing.listing_id, tuple(violations), risk, licensee_id)

    # -- sign uses ------------------------------------------------------------

    def _texts(self, listing: Listing) -> list[_Text]:
        texts = [_Text("title", listing.title, "标题")]
        if listing.description:
            texts.append(_Text("description", listing.description, "商品描述"))
        if listing.attributes:
            for key, value in listing.attributes.items():
                if value:
                    texts.append(_Text("attributes", value, f"商品属性“{key}”"))
        seller = listing.seller
        if seller is not None:
            if seller.name:
                texts.append(_Text("seller", seller.name, "店铺名称"))
            if seller.company and seller.company != seller.name:
                texts.append(_Text("seller", seller.company, "经营者名称"))
        return texts

    def _text_uses(self, texts: Sequence[_Text]) -> list[SignUse]:
        uses: list[SignUse] = []
        for item in texts:
            if item.field == "seller":
                hits = self._seller_hits.get(item.text)
                if hits is None:
                    hits = self._matcher.find(item.text, field="seller")
                    self._seller_hits.put(item.text, hits)
            else:
                hits = self._matcher.find(item.text, field=item.field)
            for hit in hits:
                uses.append(self._use_from_hit(hit, Evidence(item.field, hit.span, hit.matched), item.where))
        return uses

    def _use_from_hit(self, hit: MarkHit, evidence: Evidence, where: str) -> SignUse:
        return SignUse(
            mark=self._marks[hit.mark_id],
            evidence=evidence,
            where=where,
            matched=hit.matched,
            rule=hit.rule,
            exact=hit.exact,
            score=hit.score,
            explanation=hit.explanation,
        )

    def _image_uses(self, images: Sequence[ImageAnalysis], texts: list[_Text]) -> list[SignUse]:
        """Logo hits and marks in image text; image text outside logos is added to `texts` for claims."""
        uses: list[SignUse] = []
        for analysis in images:
            if analysis.error:
                continue
            field = f"image:{analysis.index}"
            where = f"第{analysis.index + 1}张商品图片"
            logo_boxes = []
            for logo in analysis.logo_hits:
                mark = self._logo_mark(logo.mark_id)
                if mark is None:
                    continue
                logo_boxes.append(logo.bbox)
                distance = logo.measurements.get("distance") if logo.measurements else None
                uses.append(
                    SignUse(
                        mark=mark,
                        evidence=Evidence(field, bbox=tuple(logo.bbox), distance=distance),
                        where=where,
                        matched=mark.id,
                        rule="logo",
                        exact=True,
                        score=max(0.0, min(1.0, logo.score)),
                        explanation=f"与注册图形标志“{mark.id}”相同或近似（相似度{logo.score:.2f}）",
                    )
                )
            for box in analysis.text_boxes:
                if any(_inside(box.bbox, logo_box) for logo_box in logo_boxes):
                    continue  # CONTRACT §4.6: the logo hit already reports this text
                if not box.text:
                    continue
                texts.append(_Text(field, box.text, f"{where}中的文字", tuple(box.bbox)))
                for hit in self._matcher.find(box.text, field=field):
                    evidence = Evidence(field, matched=hit.matched, bbox=tuple(box.bbox))
                    use = self._use_from_hit(hit, evidence, f"{where}中的文字")
                    confidence = max(0.0, min(1.0, box.confidence))
                    uses.append(_with_score(use, use.score * (0.8 + 0.2 * confidence)))
        return uses

    # -- helpers used by the context ---------------------------------------------

    def _logo_mark(self, mark_id: str) -> Mark | None:
        """The logo mark a detector's hit names; a hit named by its word mark maps to that mark's logo."""
        mark = self._marks.get(mark_id)
        if mark is None or mark.is_logo:
            return mark
        return next((logo for logo in self.pack.logo_marks if logo.of == mark_id), None)

    def _brand_name(self, mark: Mark) -> str:
        if mark.text:
            return mark.text
        if mark.of and mark.of in self._marks and self._marks[mark.of].text:
            return f"{self._marks[mark.of].text}”图形标志“{mark.id}"
        return mark.id

    def legal_basis(self, code: str) -> str:
        return self.pack.legal_basis.get(code) or BUILTIN_LEGAL_BASIS[code]


class _Context:
    """Everything known about one listing while deciding its codes."""

    def __init__(self, judge: Judge, listing: Listing, licensees: Sequence[Licensee], day: date, texts):
        self.judge = judge
        self.pack = judge.pack
        self.listing = listing
        self.licensees = licensees
        self.day = day
        self.texts = texts
        self.register = judge._register
        self._goods: list[str] | None = None
        self._standing: dict[str, Standing] = {}
        self._origin: dict[str, tuple[OriginCheck, str]] = {}

    # -- facts, computed on demand --------------------------------------------

    @property
    def seller_name(self) -> str:
        seller = self.listing.seller
        if seller is not None and (seller.name or seller.company):
            return f"卖家“{seller.name or seller.company}”"
        return "该卖家"

    def goods(self) -> list[str]:
        if self._goods is None:
            texts = [self.listing.title]
            if self.listing.attributes:
                texts.extend(self.listing.attributes.values())
            self._goods = self.register.goods_in(texts)
        return self._goods

    def standing(self, mark: Mark) -> Standing:
        found = self._standing.get(mark.id)
        if found is None:
            found = self.register.best_standing(self.licensees, mark.id, self.day)
            self._standing[mark.id] = found
        return found

    def deciding_licensee_id(self, uses: Sequence[SignUse]) -> str | None:
        """With several licence rows, the row that decided the listing's most favourable standing."""
        standings = [self.standing(use.mark) for use in uses]
        best = max(standings, key=lambda standing: STANDING_ORDER[standing.state], default=None)
        return best.licensee.licensee_id if best is not None and best.licensee is not None else None

    def origin(self, mark: Mark) -> tuple[OriginCheck, str]:
        """The decisive location for a GI: ship-from, then an origin attribute, then the seller's location."""
        found = self._origin.get(mark.id)
        if found is not None:
            return found
        matcher = self.judge._origins[mark.id]
        candidates: list[tuple[str | None, str]] = [(self.listing.ship_from, "发货地")]
        if self.listing.attributes:
            for key in ORIGIN_ATTRIBUTES:
                if key in self.listing.attributes:
                    candidates.append((self.listing.attributes[key], f"商品属性“{key}”"))
        if self.listing.seller is not None:
            candidates.append((self.listing.seller.location, "店铺所在地"))
        result: tuple[OriginCheck, str] = (OriginCheck(None, ""), "")
        for location, label in candidates:
            check = matcher.check(location)
            if check.inside is not None:
                result = (check, label)
                break
        self._origin[mark.id] = result
        return result

    # -- deciding -----------------------------------------------------------------

    def decide(self, uses: list[SignUse]) -> list[Violation]:
        candidates: list[tuple[Violation, tuple]] = []
        for use in uses:
            violation = self._judge_use(use)
            if violation is not None:
                candidates.append((violation, use.rank))
        authorised_here = any(self.standing(use.mark).permits for use in uses)
        if not authorised_here:
            candidates.extend(self._claim_violations(uses))
        return _best_per_code_and_mark(candidates)

    def _judge_use(self, use: SignUse) -> Violation | None:
        mark = use.mark
        standing = self.standing(mark)
        if standing.permits:
            # Scope binds a current licence only: within the disposal period a former licensee is
            # clean (CONTRACT §4.4), and a shop name is not a use on particular goods.
            if standing.state == AUTHORISED and use.evidence.field != "seller":
                uncovered = self._uncovered(mark)
                if uncovered:
                    return self._out_of_scope(use, standing, uncovered)
            return None
        if standing.lapsed:
            return self._lapsed(use, standing)
        if mark.is_gi:
            return self._gi_use(use)
        return self._unauthorised(use, standing)

    def _uncovered(self, mark: Mark) -> list[str]:
        """Listing goods no permitting licence row of the seller covers for `mark`."""
        rows = [
            licensee
            for licensee in self.licensees
            if self.register.standing(licensee, mark.id, self.day).state == AUTHORISED
        ]
        return min(
            (self.register.uncovered_goods(licensee, mark, self.goods()) for licensee in rows),
            key=len,
            default=[],
        )

    def _unauthorised(self, use: SignUse, standing: Standing) -> Violation:
        mark = use.mark
        brand = self.judge._brand_of[mark.id]
        who = f"{self.seller_name}{self._why_not_authorised(standing, brand)}"
        if mark.is_logo:
            code = "LOGO_UNAUTHORISED"
            reason = f"{who}，{use.where}出现{use.explanation}的图案，属未经许可使用注册图形商标。"
            score = use.score
        elif use.exact:
            code = "MARK_UNAUTHORISED"
            written = "" if use.matched.strip() == mark.text else f"的注册写法“{use.matched.strip()}”"
            reason = f"{who}，{use.where}直接使用注册商标“{mark.text}”{written}，属未经许可使用注册商标。"
            score = min(1.0, 0.9 + 0.08 * use.score)
        else:
            code = "MARK_SIMILAR"
            adjective, noun = RULE_WORDING.get(use.rule, ("近似的", "近似写法"))
            reason = (
                f"{who}，{use.where}使用与注册商标“{mark.text}”{adjective}“{use.matched.strip()}”（{noun}），"
                "容易导致混淆。"
            )
            score = min(0.95, 0.85 * use.score + 0.1)
        return self._violation(code, mark, score, reason, use.evidence)

    def _why_not_authorised(self, standing: Standing, brand: str) -> str:
        licensee = standing.licensee
        if standing.state == SUSPENDED and licensee is not None:
            return f"（{licensee.name}）的“{brand}”使用许可已暂停，暂停期间不得使用"
        if standing.state == NOT_YET_VALID and licensee is not None:
            return f"（{licensee.name}）的“{brand}”使用许可自{licensee.valid_from.isoformat()}起才生效"
        if licensee is not None:
            return f"（{licensee.name}）未获“{brand}”的使用许可"
        return f"非“{brand}”授权使用人"

    def _lapsed(self, use: SignUse, standing: Standing) -> Violation:
        licensee = standing.licensee
        assert licensee is not None
        brand = self.judge._brand_of[use.mark.id]
        how = STATUS_NAMES.get(licensee.status, licensee.status)
        if licensee.status == "active":
            how = "有效期届满"
        ended = standing.ended.isoformat() if standing.ended else "此前"
        if standing.deadline is not None:
            grace = f"带标库存处置期限{standing.deadline.isoformat()}已过"
        else:
            grace = "且无带标库存处置期"
        reason = (
            f"{self.seller_name}（原授权使用人{licensee.name}）的“{brand}”使用许可已于{ended}终止（{how}），"
            f"{grace}，{use.where}仍使用“{use.matched.strip()}”。"
        )
        return self._violation("LICENCE_LAPSED", use.mark, 0.9, reason, use.evidence)

    def _out_of_scope(self, use: SignUse, standing: Standing, uncovered: list[str]) -> Violation:
        licensee = standing.licensee
        assert licensee is not None
        brand = self.judge._brand_of[use.mark.id]
        goods = self.register.covered_goods(licensee, use.mark)
        covered = "、".join(goods[:6]) + ("等" if len(goods) > 6 else "")
        reason = (
            f"授权使用人{licensee.name}的“{brand}”许可只覆盖“{covered}”，"
            f"{use.where}却在“{'、'.join(uncovered)}”商品上使用“{use.matched.strip()}”，超出许可范围。"
        )
        return self._violation("OUT_OF_SCOPE", use.mark, 0.75, reason, use.evidence)

    def _gi_use(self, use: SignUse) -> Violation | None:
        mark = use.mark
        check, label = self.origin(mark)
        if check.inside is not False:
            return None  # inside the origin area, or nothing provable: CONTRACT §4.2
        if use.exact:
            shown = f"地理标志“{mark.text}”"
        else:
            _adjective, noun = RULE_WORDING.get(use.rule, ("", "变体写法"))
            shown = f"地理标志“{mark.text}”的变体写法“{use.matched.strip()}”（{noun}）"
        reason = (
            f"{self.seller_name}在{use.where}使用{shown}，但{label}“{check.location}”不在“{mark.text}”的产地范围"
            f"（{self._origin_summary(mark)}）内，属产地不实。"
        )
        score = min(1.0, 0.85 + 0.1 * use.score)
        return self._violation("GI_FALSE_ORIGIN", mark, score, reason, use.evidence)

    def _origin_summary(self, mark: Mark) -> str:
        counties = [name for name in mark.origin if name.endswith(("县", "市", "区")) and len(name) <= 8]
        return (counties or list(mark.origin[:1]))[0]

    # -- claims -------------------------------------------------------------------

    def _claim_violations(self, uses: list[SignUse]) -> list[tuple[Violation, tuple]]:
        found: list[tuple[Violation, tuple]] = []
        claims = [
            (claim, item)
            for item in self.texts
            for claim in self.judge._claims.find(item.text, field=item.field)
        ]
        for claim, item in claims:
            if claim.kind in _CLAIM_CODES:
                use = _nearest(uses, claim)
                violation = self._false_claim(claim, use, item)
            else:
                violation = self._origin_claim(claim, uses, item)
            if violation is not None:
                rank = (-violation.score, 0, FIELD_ORDER.get(claim.field, 4), claim.span[0])
                found.append((violation, rank))
        return found

    def _false_claim(self, claim: ClaimHit, use: SignUse, item: _Text) -> Violation:
        code = _CLAIM_CODES[claim.kind]
        mark = use.mark
        brand = self.judge._brand_of[mark.id]
        standing = self.standing(mark)
        who = f"{self.seller_name}{self._why_not_authorised(standing, brand)}"
        if standing.lapsed and standing.licensee is not None:
            who = f"{self.seller_name}（原授权使用人{standing.licensee.name}）的“{brand}”使用许可已终止"
        if claim.kind == "authorisation":
            why = "并无此授权，属虚假宣传"
        else:
            why = "溯源标识只发放给授权使用人，属虚假宣传"
        reason = f"{who}，却在使用“{use.matched.strip()}”的商品{item.where}中宣称“{claim.matched.strip()}”，{why}。"
        evidence = _claim_evidence(claim, item)
        return self._violation(code, mark, _CLAIM_SCORE, reason, evidence)

    def _origin_claim(self, claim: ClaimHit, uses: list[SignUse], item: _Text) -> Violation | None:
        gi = self._gi_for_origin_claim(uses)
        if gi is None:
            return None
        check, label = self.origin(gi)
        if check.inside is not False:
            return None
        if self._claim_names_another_place(item.text, claim, check):
            return None  # an origin claim about the goods' true origin (CONTRACT §4.3)
        use = _nearest(uses, claim)
        reason = (
            f"{self.seller_name}在使用“{use.matched.strip()}”的商品{item.where}中宣称“{claim.matched.strip()}”，"
            f"但{label}“{check.location}”不在地理标志“{gi.text}”的产地范围（{self._origin_summary(gi)}）内，属产地不实。"
        )
        evidence = _claim_evidence(claim, item)
        return self._violation("GI_FALSE_ORIGIN", gi, 0.8, reason, evidence)

    def _gi_for_origin_claim(self, uses: list[SignUse]) -> Mark | None:
        for use in uses:
            if use.mark.is_gi:
                return use.mark
        goods = self.goods()
        for gi in self.pack.gi_marks:
            if not gi.goods or any(goods_related(word, gi_goods) for word in goods for gi_goods in gi.goods):
                return gi
        return None

    def _claim_names_another_place(self, text: str, claim: ClaimHit, check: OriginCheck) -> bool:
        start, end = claim.span
        window = text[max(0, start - _PLACE_WINDOW) : start] + text[end : end + _PLACE_WINDOW]
        if any(place in window for place in self.judge._other_places):
            return True
        return any(part in window for part in re.split(r"[\s,，/|·\-]+", check.location) if len(part) >= 2)

    # -- output -------------------------------------------------------------------

    def _violation(self, code: str, mark: Mark, score: float, reason: str, evidence: Evidence) -> Violation:
        return Violation(
            code=code,
            mark=mark.id,
            score=round(max(0.0, min(1.0, score)), 4),
            reason=reason,
            evidence=evidence,
            legal_basis=self.judge.legal_basis(code),
        )

    def risk(self, violations: Sequence[Violation], uses: Sequence[SignUse]) -> float:
        remaining = 1.0
        for violation in violations:
            remaining *= 1.0 - violation.score
        base = 1.0 - remaining
        concern = max(self._price_concern(), 0.5 * self._season_concern(uses))
        if violations:
            risk = base + (1.0 - base) * 0.6 * concern
        else:
            risk = 0.2 * concern
        return round(max(0.0, min(1.0, risk)), 4)

    def _price_concern(self) -> float:
        """How far the price per unit lies below the pack's floor: 0 at the floor, 1 at half of it or less."""
        price = self.listing.price
        if price is None or price <= 0 or not self.pack.reference_prices:
            return 0.0
        if self.listing.currency_or_default != "CNY":
            return 0.0
        goods = self.goods()
        reference = next(
            (self.pack.reference_prices[w] for w in goods if w in self.pack.reference_prices), None
        )
        if reference is None:
            return 0.0
        quantity = _quantity_in(reference.unit, self.listing.unit, self.listing.title)
        if quantity is None or quantity <= 0:
            return 0.0
        ratio = (price / quantity) / reference.min
        return max(0.0, min(1.0, (1.0 - ratio) * 2.0))

    def _season_concern(self, uses: Sequence[SignUse]) -> float:
        """Fresh GI goods ("当季", "现摘") offered outside the GI's harvest season."""
        for use in uses:
            mark = use.mark
            if not mark.is_gi or mark.season is None:
                continue
            if not any(word in self.listing.title for word in FRESH_WORDS):
                continue
            if not _in_season(self.day, mark.season):
                return 1.0
        return 0.0


def _with_score(use: SignUse, score: float) -> SignUse:
    return replace(use, score=score)


def _inside(box: Sequence[int], outer: Sequence[int]) -> bool:
    """Is the centre of `box` inside `outer`? Boxes are (x, y, width, height)."""
    x, y, w, h = box
    ox, oy, ow, oh = outer
    cx, cy = x + w / 2, y + h / 2
    return ox <= cx <= ox + ow and oy <= cy <= oy + oh


def _claim_evidence(claim: ClaimHit, item: _Text) -> Evidence:
    if item.bbox is not None:
        return Evidence(claim.field, matched=claim.matched, bbox=item.bbox)
    return Evidence(claim.field, claim.span, claim.matched)


def _nearest(uses: Sequence[SignUse], claim: ClaimHit) -> SignUse:
    """The sign the claim is next to: the closest use in the same field, else the best use anywhere."""
    same_field = [use for use in uses if use.evidence.field == claim.field and use.evidence.span is not None]
    if same_field:
        return min(
            same_field,
            key=lambda use: min(
                abs(use.evidence.span[0] - claim.span[1]), abs(claim.span[0] - use.evidence.span[1])
            ),
        )
    return min(uses, key=lambda use: use.rank)


def _best_per_code_and_mark(candidates: list[tuple[Violation, tuple]]) -> list[Violation]:
    best: dict[tuple[str, str], tuple[Violation, tuple]] = {}
    for violation, rank in candidates:
        key = (violation.code, violation.mark)
        current = best.get(key)
        if current is None or (-violation.score, rank) < (-current[0].score, current[1]):
            best[key] = (violation, rank)
    return [
        violation
        for violation, _rank in sorted(best.values(), key=lambda item: (-item[0].score, item[0].code))
    ]


def _quantity_in(reference_unit: str, listing_unit: str | None, title: str) -> float | None:
    """How many reference units the listing's price buys, from its unit field or its title."""
    reference_kg = _KG_PER_UNIT.get(reference_unit.lower())
    for text in (listing_unit, title):
        if not text:
            continue
        if reference_kg is None:
            # A count unit (箱, 盒, 个): the unit field itself, or "3箱" in the title.
            if text.strip() == reference_unit:
                return 1.0
            counted = re.search(rf"(\d+(?:\.\d+)?)\s*{re.escape(reference_unit)}", text)
            if counted:
                return float(counted.group(1))
            continue
        stripped = text.strip().lower()
        if stripped in _KG_PER_UNIT:
            return _KG_PER_UNIT[stripped] / reference_kg
        match = _QUANTITY.search(text)
        if match:
            amount = float(match.group(1)) * _KG_PER_UNIT[match.group(2).lower()]
            multiplier = _MULTIPLIER.match(text[match.end() :])
            if multiplier:
                amount *= int(multiplier.group(1))
            return amount / reference_kg
    return None


def _in_season(day: date, season: tuple[str, str]) -> bool:
    today = (day.month, day.day)
    start = tuple(int(part) for part in season[0].split("-"))
    end = tuple(int(part) for part in season[1].split("-"))
    if start <= end:
        return start <= today <= end
    return today >= start or today <= end
