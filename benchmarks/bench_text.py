"""Speed and ordinary-language false-hit rate of MarkMatcher.find().

Prints, for generated listing texts (40-character titles, ~80-character short
descriptions, shop names):
* find() calls/s on titles, and listings/s for title + description + shop name;
* the raw rapidfuzz kernel rate on the same strings in the same run
  (fuzz.partial_ratio of every mark text against each title, and
  process.extract of the marks for each title), as a baseline;
* how many hits random ordinary-language titles (common dictionary words, no
  mark planted) produce per 10,000 listings: the matcher's false-hit floor;
* recall per rule on disguises of 200 invented four-character marks (random
  pairs of common words, so nothing is tuned to 奉上好品) planted in titles,
  and the share attributed to the right mark.

Run:  .venv/bin/python benchmarks/bench_text.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchers.keywords import common_homophones, common_lookalikes  # noqa: E402
from matchers.pack import Mark  # noqa: E402
from matchers.text import MarkMatcher, mark_readings, two_char_words  # noqa: E402

MARKS = (
    Mark("FSHP", "word", "奉上好品", aliases=("Fengshang Haopin",)),
    Mark("FJHP", "word", "奉节好品"),
    Mark("FJHW", "word", "奉节好味"),
    Mark("FJHJ", "word", "奉节好景"),
    Mark("FJQC", "gi", "奉节脐橙"),
)
EXCEPTIONS = ("奉上好品质", "奉上好评", "奉上好品种")
PLANTED = ("奉上好品", "奉节脐橙", "奉尚好品", "奉 上 好 品", "奉節臍橙", "FengShangHaoPin", "奉土好品", "奉节好味")
GOODS = ("脐橙", "橙子", "腊肉", "香肠", "蜂蜜", "茶叶", "核桃", "大米", "红薯粉", "土鸡蛋")
FILLER = ("新鲜", "现摘", "包邮", "当季", "5斤装", "10斤", "礼盒", "特级", "果园直发", "坏果包赔", "产地直供", "正宗")
LISTINGS = 20_000


def title(rng: random.Random, words: list[str], planted: bool) -> str:
    parts = rng.sample(FILLER, 3) + [rng.choice(GOODS)] + rng.sample(words, 6)
    if planted:
        parts.insert(rng.randrange(len(parts)), rng.choice(PLANTED))
    rng.shuffle(parts)
    return " ".join(parts)[:40]


def main() -> None:
    rng = random.Random(20261128)
    words = sorted(two_char_words())
    listings = []
    for i in range(LISTINGS):
        planted = i % 4 == 0
        listings.append(
            (
                title(rng, words, planted),
                "".join(rng.sample(words, 30))[:80],
                rng.choice(words) + rng.choice(("旗舰店", "专营店", "果园", "小店")),
            )
        )
    titles = [t for t, _, _ in listings]

    matcher = MarkMatcher(MARKS, exceptions=EXCEPTIONS)
    for text in titles[:2000]:  # warm the per-character caches, as a long scan would
        matcher.find(text, field="title")

    started = time.perf_counter()
    for text in titles:
        matcher.find(text, field="title")
    title_rate = len(titles) / (time.perf_counter() - started)

    started = time.perf_counter()
    for text, description, shop in listings:
        matcher.find(text, field="title")
        matcher.find(description, field="description")
        matcher.find(shop, field="seller")
    listing_rate = len(listings) / (time.perf_counter() - started)

    mark_texts = [m.text for m in MARKS if m.text]
    started = time.perf_counter()
    for text in titles:
        for mark_text in mark_texts:
            fuzz.partial_ratio(mark_text, text)
    partial_rate = len(titles) / (time.perf_counter() - started)
    started = time.perf_counter()
    for text in titles:
        process.extract(text, mark_texts, scorer=fuzz.partial_ratio, limit=3)
    extract_rate = len(titles) / (time.perf_counter() - started)

    ordinary = [title(rng, words, planted=False) for _ in range(LISTINGS)]
    false_hits = [(text, hit) for text in ordinary for hit in matcher.find(text, field="title")]

    print(f"generated listings              {LISTINGS:>10,}")
    print(f"find() on titles                {title_rate:>10,.0f} calls/s ({1e6 / title_rate:.1f} µs/call)")
    print(f"title+description+shop          {listing_rate:>10,.0f} listings/s")
    print(f"rapidfuzz partial_ratio x{len(mark_texts)}     {partial_rate:>10,.0f} titles/s (baseline kernel)")
    print(f"rapidfuzz process.extract       {extract_rate:>10,.0f} titles/s (baseline kernel)")
    print(f"find() / partial_ratio          {title_rate / partial_rate:>10.2f} x")
    rate = len(false_hits) / len(ordinary) * 10_000
    print(f"hits on ordinary-language titles {rate:>9.1f} per 10,000 titles ({len(false_hits)} of {len(ordinary)})")
    for text, hit in false_hits[:10]:
        print(f"  {hit.mark_id} {hit.rule:<10} {hit.matched!r} in {text!r}")
    recall_on_invented_marks(rng, words)


def disguise(rng: random.Random, mark: str, rule: str) -> str | None:
    position = rng.randrange(len(mark))
    if rule == "split":
        return rng.choice((" ", "-", "\u200b", "❤", "·")).join(mark)
    if rule == "traditional":
        import zhconv

        traditional = zhconv.convert(mark, "zh-hant")
        return traditional if traditional != mark else None
    if rule == "pinyin":
        case = rng.choice((str.title, str.lower, str.upper))
        return rng.choice(("", " ", "-")).join(case(s[0]) for s in mark_readings(mark))
    options = (common_homophones if rule == "homophone" else common_lookalikes)(mark[position])[:5]
    if not options:
        return None
    return mark[:position] + rng.choice(options) + mark[position + 1 :]


def recall_on_invented_marks(rng: random.Random, words: list[str]) -> None:
    texts = sorted({rng.choice(words) + rng.choice(words) for _ in range(200)})
    marks = [Mark(f"M{i:03d}", "word", text) for i, text in enumerate(texts)]
    matcher = MarkMatcher(marks)
    print("recall on disguises of 200 invented marks (planted in generated titles):")
    for rule in ("exact", "traditional", "split", "homophone", "lookalike", "pinyin"):
        found = right = total = 0
        for mark in marks:
            for _ in range(5):
                shown = mark.text if rule == "exact" else disguise(rng, mark.text or "", rule)
                if shown is None:
                    continue
                text = f"{rng.choice(FILLER)} {shown} {rng.choice(GOODS)}"
                total += 1
                where = text.index(shown)
                hits = matcher.find(text, field="title")
                hit = next((h for h in hits if where <= h.span[0] < where + len(shown)), None)
                if hit is not None:
                    found += 1
                    right += hit.mark_id == mark.id
        print(f"  {rule:<12} {found / total:>7.1%} found, {right / max(found, 1):>7.1%} of those the right mark ({total} cases)")


if __name__ == "__main__":
    main()
