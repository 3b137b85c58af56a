"""Find a pack's word marks and GI names in listing text, disguised or not.

A hit carries where it is (span in the original text), what matched, which rule
found it and a Chinese phrase explaining it, so the verdict can write a reason
sentence without re-running anything.

How it works, and why it is fast enough for 20,000 listings/s:

* Text is folded by `matchers.normalise` (case, width, traditional forms,
  padding removed) with a map back to the original characters.
* At construction every Han form (mark text or Han alias) is indexed character
  by character: the character itself, its look-alikes (from the shipped
  形近字 table, `matchers/data/lookalike.tsv`) and the toneless syllable it
  is read with in the mark.  A text character is related to a mark character
  when it is the same, a look-alike, or has that syllable among any of its
  readings (heteronyms included); relations are cached per distinct character,
  so pypinyin runs once per character, not once per title.
* Windows are seeded only by occurrences of the forms' own characters (one
  regular-expression scan): a window must keep enough of them, so text without
  any costs that scan alone.  A seeded window is kept when every position is
  related.
* Latin forms (Latin aliases and the pinyin spellings of every Han form) are one
  compiled regular expression over the folded text, with word boundaries checked
  in the original text so "FSHP" inside "FSHPX" or a URL does not count.

Thresholds for substituted characters (homophones, look-alikes), and why:
marks of 1-2 characters allow none (two characters with one swapped is
ordinary language far too often), 3 characters allow one, 4+ characters allow
half.  Every position must be the mark's own character, a homophone or a
look-alike: an unrelated character anywhere ends the window, which is what keeps
上好品种, 奉上好评 and 最上好品质 out.  A substituted character at the edge of a
window that forms a dictionary word with its neighbour outside the window
(奉节好精品: 精品) is read as ordinary language, not as a disguised mark; so is
a look-alike that forms a word with any neighbour (春节好品: 春节), since a
coincidence of shape inside a real word is no disguise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import product
from pathlib import Path

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from matchers.normalise import Normalised, fold_char, light_fold, normalise, normalise_text
from matchers.pack import Mark

RULES = ("exact", "alias", "traditional", "split", "homophone", "lookalike", "pinyin")

_HOMOPHONE_SCORE = 0.9
_TRADITIONAL_FACTOR = 0.95
_SPLIT_FACTOR = 0.93
_PINYIN_SCORE = 0.85
_COMPAT_FORM_SCORE = 0.9
_MIN_PINYIN_LETTERS = 5
_MAX_PINYIN_SPELLINGS = 16

# Padding never spans a sentence or a line (产自奉节。好品质… is two sentences),
# and a clause break counts as padding only when every gap is padded alike
# (奉，上，好，品 is a disguise; 产地：奉节县，脐橙 is two phrases).
_SENTENCE_BREAK = re.compile("[。！？!?\n\r\u2028\u2029\x85]")
_CLAUSE_BREAK = re.compile("[，、；：,;:]")
_LATIN_FORM = re.compile(r"[a-z0-9]+")
_URLISH = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\S+|\S+\.(?:com|cn|net|org|shop|top|xyz|cc|io|html?)\b\S*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class MarkHit:
    mark_id: str
    kind: str
    field: str
    span: tuple[int, int]
    matched: str
    rule: str
    exact: bool
    score: float
    explanation: str
    substitutions: int = 0


@dataclass(frozen=True, slots=True)
class PhraseHit:
    phrase: str
    field: str
    span: tuple[int, int]
    matched: str


@dataclass(frozen=True, slots=True)
class _Form:
    mark: Mark
    registered: str  # as written in the pack (text or alias), or the pinyin spelling
    folded: str
    light: str
    source: str  # "text" | "alias" | "pinyin" | "place"
    place: str = ""  # for "place": the GI's place name as written out in full

    @property
    def padded(self) -> bool:
        """The registration itself contains spaces or punctuation (山野·仙踪)."""
        return len(self.folded) != len(self.light)

    @property
    def registered_traditional(self) -> bool:
        return any(fold_char(ch).traditional for ch in self.registered)


def _place_forms(mark: Mark) -> list[_Form]:
    """A GI named after its place, written with the place name in full: for
    奉节脐橙 with origin 奉节县, 重庆市奉节县…, the form 奉节县脐橙 (an origin name
    that extends the place the GI name starts with).  Never exact."""
    text = normalise_text(mark.text or "")
    places = sorted({normalise_text(name) for name in mark.origin if normalise_text(name)}, key=len)
    prefix = next((place for place in reversed(places) if text.startswith(place) and place != text), None)
    if prefix is None:
        return []
    goods = text[len(prefix) :]
    return [
        _Form(mark, place + goods, place + goods, light_fold(place + goods), "place", place)
        for place in places
        if place.startswith(prefix) and place != prefix
    ]


def _is_latin(folded: str) -> bool:
    return bool(_LATIN_FORM.fullmatch(folded))


_LOOKALIKE_TABLE = Path(__file__).parent / "data" / "lookalike.tsv"


@lru_cache(maxsize=1)
def _lookalike_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    with _LOOKALIKE_TABLE.open(encoding="utf-8") as table:
        for line in table:
            if line.startswith("#") or not line.strip():
                continue
            char, _, neighbours = line.rstrip("\n").partition("\t")
            rows[char] = neighbours
    return rows


@cache
def lookalikes(ch: str) -> tuple[tuple[str, float], ...]:
    """Characters that look like `ch`, with a shape similarity in [0, 1], from the
    shipped 形近字 table (see matchers/data/README.md), read in both directions so
    a rare character listed only as someone's neighbour is found too."""
    rows = _lookalike_rows()
    found: dict[str, float] = {}
    for entry in rows.get(ch, "").split():
        other, _, similarity = entry.partition(":")
        found[other] = float(similarity)
    needle = ch + ":"
    for other, neighbours in rows.items():
        at = neighbours.find(needle)
        if at != -1 and (at == 0 or neighbours[at - 1] == " "):
            similarity = float(neighbours[at + len(needle) :].split(" ", 1)[0])
            found[other] = max(similarity, found.get(other, 0.0))
    found.pop(ch, None)
    return tuple(sorted(found.items(), key=lambda item: (-item[1], item[0])))


_WORD_LIST = Path(__file__).parent / "data" / "words2.txt"


@lru_cache(maxsize=1)
def two_char_words() -> frozenset[str]:
    """Common two-character words (matchers/data/words2.txt)."""
    with _WORD_LIST.open(encoding="utf-8") as words:
        return frozenset(line.strip() for line in words if line.strip() and not line.startswith("#"))


_READINGS: dict[str, tuple[str, ...]] = {}


def readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of a Han character, heteronyms included (cached)."""
    cached = _READINGS.get(ch)
    if cached is None:
        if len(ch) == 1 and ord(ch) in pinyin_dict:
            cached = tuple(dict.fromkeys(pinyin(ch, style=Style.NORMAL, heteronym=True)[0]))
        else:
            cached = ()
        _READINGS[ch] = cached
    return cached


def mark_readings(folded: str) -> list[tuple[str, ...]]:
    """Per character of a mark, the toneless syllable it is read with in the mark
    (pypinyin's phrase-aware reading, so 味 in 奉节好味 is wei, not also mei and
    景 is jing, not also ying); () for characters that are not Han.  Text
    characters, by contrast, count with every reading they have (`readings`)."""
    result: list[tuple[str, ...]] = []
    for text, is_han in _han_runs(folded):
        if not is_han:
            result.extend(() for _ in text)
            continue
        syllables = pinyin(text, style=Style.NORMAL)
        if len(syllables) == len(text) and all(len(s) == 1 for s in syllables):
            result.extend((s[0],) if readings(ch) else () for s, ch in zip(syllables, text, strict=True))
        else:
            result.extend(readings(ch)[:1] for ch in text)
    return result


def _han_runs(folded: str) -> list[tuple[str, bool]]:
    runs: list[tuple[str, bool]] = []
    for ch in folded:
        is_han = bool(readings(ch))
        if runs and runs[-1][1] == is_han:
            runs[-1] = (runs[-1][0] + ch, is_han)
        else:
            runs.append((ch, is_han))
    return runs


def pinyin_spellings(folded: str) -> list[str]:
    """Joined toneless pinyin spellings of a folded form as read in the mark, with
    ü written both v and u; at most `_MAX_PINYIN_SPELLINGS`."""
    choices: list[tuple[str, ...]] = []
    for ch, syllables in zip(folded, mark_readings(folded), strict=True):
        if not syllables:
            syllables = (ch,)
        variants: list[str] = []
        for syllable in syllables:
            variants.append(syllable)
            if "v" in syllable:
                variants.append(syllable.replace("v", "u"))
        choices.append(tuple(dict.fromkeys(variants)))
    spellings: list[str] = []
    for combo in product(*choices):
        spellings.append("".join(combo))
        if len(spellings) >= _MAX_PINYIN_SPELLINGS:
            break
    return spellings


def _max_substitutions(length: int) -> int:
    if length <= 2:
        return 0
    if length == 3:
        return 1
    return length // 2


class MarkMatcher:
    """Finds the word and GI marks of a pack (logos are ignored) in text."""

    def __init__(self, marks: Sequence[Mark], *, exceptions: Sequence[str] = ()) -> None:
        self._han_forms: list[_Form] = []
        latin_forms: dict[str, _Form] = {}
        for mark in marks:
            if mark.kind not in ("word", "gi") or not mark.text:
                continue
            registered = [(mark.text, "text")] + [(alias, "alias") for alias in mark.aliases]
            for written, source in registered:
                folded = normalise_text(written)
                if not folded:
                    continue
                form = _Form(mark, written, folded, light_fold(written), source)
                if _is_latin(folded):
                    # A registered Latin spelling beats a pinyin spelling of another mark.
                    if folded not in latin_forms or latin_forms[folded].source == "pinyin":
                        latin_forms[folded] = form
                    continue
                self._han_forms.append(form)
            if mark.kind == "gi":
                self._han_forms.extend(_place_forms(mark))
        for form in list(self._han_forms):
            for spelling in pinyin_spellings(form.folded):
                if _is_latin(spelling) and len(spelling) >= _MIN_PINYIN_LETTERS:
                    latin_forms.setdefault(spelling, _Form(form.mark, spelling, spelling, spelling, "pinyin"))
        self._latin_forms = latin_forms
        self._latin_pattern = (
            re.compile("|".join(re.escape(f) for f in sorted(latin_forms, key=len, reverse=True)))
            if latin_forms
            else None
        )
        self._form_lengths = [len(form.folded) for form in self._han_forms]
        # char -> {(form index, position): (relation, similarity)} for exact and look-alike
        # characters; syllable -> [(form index, position)] for homophones.
        self._static: dict[str, dict[tuple[int, int], tuple[str, float]]] = {}
        self._syllables: dict[str, list[tuple[int, int]]] = {}
        for form_index, form in enumerate(self._han_forms):
            syllables_at = mark_readings(form.folded)
            for position, ch in enumerate(form.folded):
                key = (form_index, position)
                self._static.setdefault(ch, {})[key] = ("exact", 1.0)
                for similar, similarity in lookalikes(ch):
                    folded_similar = normalise_text(similar)
                    if len(folded_similar) != 1:
                        continue
                    slot = self._static.setdefault(folded_similar, {})
                    if key not in slot or (slot[key][0] == "lookalike" and slot[key][1] < similarity):
                        slot[key] = ("lookalike", similarity)
                for syllable in syllables_at[position]:
                    self._syllables.setdefault(syllable, []).append(key)
        self._relations_cache: dict[str, dict[tuple[int, int], tuple[str, float]]] = {}
        # Every window keeps at least (length - allowed substitutions) of the form's
        # own characters: those characters are the anchors that seed windows.
        self._exact_at: dict[str, list[tuple[int, int]]] = {}
        for form_index, form in enumerate(self._han_forms):
            for position, ch in enumerate(form.folded):
                self._exact_at.setdefault(ch, []).append((form_index, position))
        self._exact_needed = [length - _max_substitutions(length) for length in self._form_lengths]
        self._anchor_pattern = re.compile(
            "[" + "".join(re.escape(ch) for ch in sorted(self._exact_at)) + "]" if self._exact_at else "(?!)"
        )
        shortest = min((len(f) for f in latin_forms), default=1)
        self._latin_run = re.compile(f"[a-z0-9]{{{shortest},}}")
        self._exceptions = tuple(
            (e, normalise_text(e)) for e in dict.fromkeys(exceptions) if normalise_text(e)
        )

    def _relations(self, ch: str) -> dict[tuple[int, int], tuple[str, float]]:
        cached = self._relations_cache.get(ch)
        if cached is not None:
            return cached
        relations = dict(self._static.get(ch, {}))
        for syllable in readings(ch):
            for key in self._syllables.get(syllable, ()):
                current = relations.get(key)
                if current is None or current[0] == "lookalike":
                    relations[key] = ("homophone", _HOMOPHONE_SCORE)
        self._relations_cache[ch] = relations
        return relations

    def find(self, text: str, *, field: str) -> list[MarkHit]:
        # The cheap fold (str.translate, no span map) decides whether anything can
        # match; the span map is built only for the few texts that can.
        folded = normalise_text(text)
        if not folded:
            return []
        windows = self._han_windows(folded) if self._han_forms else []
        latin = self._latin_matches(folded) if self._latin_pattern is not None else []
        if not windows and not latin:
            return []
        norm = normalise(text)
        candidates: list[MarkHit] = []
        for form_index, start in windows:
            hit = self._judge_han(text, norm, field, form_index, start)
            if hit is not None:
                candidates.append(hit)
        candidates.extend(self._judge_latin(text, norm, field, latin))
        if not candidates:
            return []
        present = [(e, f) for e, f in self._exceptions if f in folded]
        if present:
            excluded = [hit.span for hit in _phrase_hits(text, norm, present, field)]
            candidates = [
                hit for hit in candidates if not any(_ruled_out(hit.span, span) for span in excluded)
            ]
        candidates.sort(
            key=lambda h: (not h.exact, h.substitutions, -h.score, h.span[0] - h.span[1], h.span[0])
        )
        chosen: list[MarkHit] = []
        for hit in candidates:
            if all(hit.span[1] <= other.span[0] or other.span[1] <= hit.span[0] for other in chosen):
                chosen.append(hit)
        chosen.sort(key=lambda h: h.span)
        return chosen

    def _han_windows(self, folded: str) -> list[tuple[int, int]]:
        """(form index, start) of every window that keeps enough of a form's own
        characters and whose other characters are all related to the form's
        characters at the same positions.  Only occurrences of the forms' own
        characters (found by one regular-expression scan) seed windows, so text
        without them costs one C-level scan."""
        size = len(folded)
        lengths = self._form_lengths
        exact_at = self._exact_at
        counts: dict[tuple[int, int], int] = {}
        for match in self._anchor_pattern.finditer(folded):
            index = match.start()
            for form_index, position in exact_at[match.group()]:
                start = index - position
                if start < 0 or start + lengths[form_index] > size:
                    continue
                key = (form_index, start)
                counts[key] = counts.get(key, 0) + 1
        windows: list[tuple[int, int]] = []
        needed = self._exact_needed
        cache = self._relations_cache
        for (form_index, start), count in counts.items():
            if count < needed[form_index]:
                continue
            for position in range(lengths[form_index]):
                ch = folded[start + position]
                relations = cache.get(ch)
                if relations is None:
                    relations = self._relations(ch)
                if (form_index, position) not in relations:
                    break
            else:
                windows.append((form_index, start))
        return windows

    def _judge_han(
        self, text: str, norm: Normalised, field: str, form_index: int, start: int
    ) -> MarkHit | None:
        form = self._han_forms[form_index]
        folded = norm.text
        length = len(form.folded)
        end = start + length
        substituted: list[tuple[int, str, float]] = []
        for position in range(length):
            relation, similarity = self._relations_cache[folded[start + position]][(form_index, position)]
            if relation != "exact":
                substituted.append((position, relation, similarity))
        if len(substituted) > _max_substitutions(length):
            return None
        if substituted and _reads_as_ordinary_words(folded, start, end, substituted):
            return None
        span = norm.span(start, end)
        matched = text[span[0] : span[1]]
        origins = norm.origin[start:end]
        padded = any(b - a > 1 for a, b in zip(origins, origins[1:], strict=False))
        if padded and _breaks_text(text, origins):
            return None
        traditional = any(fold_char(text[i]).traditional for i in set(origins)) or (
            # A mark registered in traditional characters, written in simplified ones.
            form.registered_traditional and light_fold(matched) != form.light
        )
        exact = not substituted and form.source != "place" and light_fold(matched) == form.light
        score = 1.0
        if substituted:
            for _, relation, similarity in substituted:
                score *= _HOMOPHONE_SCORE if relation == "homophone" else 0.55 + 0.35 * similarity
            rule = substituted[0][1]
        elif exact:
            rule = "exact" if form.source == "text" else "alias"
        elif traditional:
            rule = "traditional"
        elif padded or form.padded or form.source == "place":
            # Padding added, the registration's own punctuation left out or changed,
            # or a GI's place name written out in full (奉节县脐橙).
            rule = "split"
        else:
            # Same folded text, no padding, no traditional form: a compatibility or
            # decorated variant of the characters (㊤, letter-like symbols).
            rule, score = "lookalike", _COMPAT_FORM_SCORE
        if not exact:
            if traditional:
                score *= _TRADITIONAL_FACTOR
            if padded or rule == "split":
                score *= _SPLIT_FACTOR
        explanation = _explain(form, matched, rule, exact, traditional, padded, substituted, folded[start:end])
        return MarkHit(
            mark_id=form.mark.id,
            kind=form.mark.kind,
            field=field,
            span=span,
            matched=matched,
            rule=rule,
            exact=exact,
            score=round(min(score, 1.0 if exact else 0.99), 4),
            explanation=explanation,
            substitutions=len(substituted),
        )

    def _latin_matches(self, folded: str) -> list[re.Match[str]]:
        assert self._latin_pattern is not None
        matches: list[re.Match[str]] = []
        for run in self._latin_run.finditer(folded):
            matches.extend(self._latin_pattern.finditer(folded, run.start(), run.end()))
        return matches

    def _judge_latin(
        self, text: str, norm: Normalised, field: str, matches: list[re.Match[str]]
    ) -> list[MarkHit]:
        hits: list[MarkHit] = []
        urlish: list[tuple[int, int]] | None = None
        for match in matches:
            start, end = norm.span(match.start(), match.end())
            if not (_latin_boundary(text, start - 1) and _latin_boundary(text, end)):
                continue
            if urlish is None:
                urlish = [m.span() for m in _URLISH.finditer(text)]
            if any(a < end and start < b for a, b in urlish):
                continue
            form = self._latin_forms[match.group()]
            matched = text[start:end]
            origins = norm.origin[match.start() : match.end()]
            split = any(b - a > 1 for a, b in zip(origins, origins[1:], strict=False))
            if split and _breaks_text(text, origins):
                continue
            exact = form.source != "pinyin" and light_fold(matched) == form.light
            if exact:
                rule, score = "alias" if form.source == "alias" else "exact", 1.0
            elif form.source == "pinyin" or form.folded in pinyin_spellings(
                normalise_text(form.mark.text or "")
            ):
                rule, score = "pinyin", _PINYIN_SCORE
            else:
                rule, score = ("split" if split else "alias"), _SPLIT_FACTOR
            hits.append(
                MarkHit(
                    mark_id=form.mark.id,
                    kind=form.mark.kind,
                    field=field,
                    span=(start, end),
                    matched=matched,
                    rule=rule,
                    exact=exact,
                    score=score,
                    explanation=_explain_latin(form, matched, rule, exact),
                )
            )
        return hits


def _breaks_text(text: str, origins: Sequence[int]) -> bool:
    """Whether the padding inside a window is really a break between phrases."""
    gaps = [text[a + 1 : b] for a, b in zip(origins, origins[1:], strict=False)]
    if any(_SENTENCE_BREAK.search(gap) for gap in gaps):
        return True
    return any(_CLAUSE_BREAK.search(gap) for gap in gaps) and not all(gaps)


def _ruled_out(hit: tuple[int, int], exception: tuple[int, int]) -> bool:
    """Whether an occurrence of a pack exception takes this text away from the mark:
    it covers the hit, or overlaps it and runs on past it (exception 上好品种 in
    奉上好品种).  An exception lying wholly inside a longer hit (a place name
    listed as an exception, inside 奉节好品) does not."""
    if exception[0] <= hit[0] and hit[1] <= exception[1]:
        return True
    overlaps = exception[0] < hit[1] and hit[0] < exception[1]
    inside = hit[0] <= exception[0] and exception[1] <= hit[1]
    return overlaps and not inside


def _latin_boundary(text: str, index: int) -> bool:
    """True when the original character at `index` cannot continue a Latin word."""
    if index < 0 or index >= len(text):
        return True
    folded = fold_char(text[index]).text
    return not (folded and folded.isascii() and folded.isalnum())


def _reads_as_ordinary_words(
    folded: str, start: int, end: int, substituted: list[tuple[int, str, float]]
) -> bool:
    """Whether a substituted character is better read as part of an ordinary word.

    A homophone is a deliberate pun only inside the window, so only a word across
    the window's edge vetoes it (奉节好|精品).  A look-alike that forms a word with
    any neighbour is a coincidence of shape, not a disguise (春节好品: 春节).
    """
    words = two_char_words()
    for position, relation, _ in substituted:
        index = start + position
        left = folded[index - 1 : index + 1] if index > 0 else ""
        right = folded[index : index + 2] if index + 1 < len(folded) else ""
        if relation == "lookalike":
            if left in words or right in words:
                return True
            continue
        if (index == start and left in words) or (index == end - 1 and right in words):
            return True
    return False


def _noun(form: _Form) -> str:
    return "地理标志" if form.mark.kind == "gi" else "注册商标"


def _explain(
    form: _Form,
    matched: str,
    rule: str,
    exact: bool,
    traditional: bool,
    split: bool,
    substituted: list[tuple[int, str, float]],
    window: str,
) -> str:
    noun = _noun(form)
    target = form.mark.text or form.registered
    shown = matched.strip()
    if exact:
        if form.source == "alias":
            return f"“{shown}”即{noun}“{target}”的注册写法“{form.registered}”"
        return f"“{shown}”即{noun}“{target}”"
    details: list[str] = []
    for position, relation, _ in substituted:
        own, used = form.folded[position], window[position]
        if relation == "homophone":
            details.append(f"谐音字“{used}”代“{own}”")
        else:
            details.append(f"形近字“{used}”代“{own}”")
    if traditional:
        details.append("使用繁体字")
    if form.source == "place":
        details.append(f"地名写作“{form.place}”")
    if split:
        details.append("字间插入空格、符号或不可见字符")
    elif rule == "split" and form.source != "place":
        details.append("分隔符号与注册写法不同")
    homophone = any(r == "homophone" for _, r, _ in substituted)
    lookalike = any(r == "lookalike" for _, r, _ in substituted)
    if homophone and not lookalike:
        relation = "读音相同"
    elif lookalike and not homophone:
        relation = "字形相近"
    elif substituted:
        relation = "音形相近"
    elif rule == "traditional":
        relation = "为其繁体写法"
    elif rule == "split" and form.source != "place":
        relation = "为其拆分写法"
    else:
        relation = "为其变体写法"
    if form.source == "alias":
        target_text = f"{noun}“{target}”的注册写法“{form.registered}”"
    else:
        target_text = f"{noun}“{target}”"
    suffix = f"（{'，'.join(details)}）" if details else ""
    if relation.startswith("为"):
        return f"“{shown}”{relation.replace('为其', f'为{target_text}的')}{suffix}"
    return f"“{shown}”与{target_text}{relation}{suffix}"


def _explain_latin(form: _Form, matched: str, rule: str, exact: bool) -> str:
    noun = _noun(form)
    target = form.mark.text or form.registered
    shown = matched.strip()
    if exact:
        return f"“{shown}”即{noun}“{target}”的注册写法“{form.registered}”"
    if rule == "pinyin":
        return f"“{shown}”为{noun}“{target}”的拼音写法"
    return f"“{shown}”为{noun}“{target}”注册写法“{form.registered}”的变体写法"


@lru_cache(maxsize=4096)
def _fold_phrase(phrase: str) -> str:
    return normalise_text(phrase)


def find_phrases(text: str, phrases: Sequence[str], *, field: str) -> list[PhraseHit]:
    """Occurrences of `phrases` in `text`, tolerant of case, width, traditional forms
    and padding; Latin phrases need word boundaries.  Sorted by span."""
    folded = normalise_text(text)
    present = [(p, f) for p in phrases if (f := _fold_phrase(p)) and f in folded]
    if not present:
        return []
    return _phrase_hits(text, normalise(text), present, field)


def _phrase_hits(
    text: str, norm: Normalised, phrases: Sequence[tuple[str, str]], field: str
) -> list[PhraseHit]:
    folded = norm.text
    hits: list[PhraseHit] = []
    for phrase, needle in phrases:
        latin_start = needle[0].isascii() and needle[0].isalnum()
        latin_end = needle[-1].isascii() and needle[-1].isalnum()
        at = folded.find(needle)
        while at != -1:
            start, end = norm.span(at, at + len(needle))
            if (not latin_start or _latin_boundary(text, start - 1)) and (
                not latin_end or _latin_boundary(text, end)
            ):
                hits.append(PhraseHit(phrase, field, (start, end), text[start:end]))
            at = folded.find(needle, at + len(needle))
    hits.sort(key=lambda h: h.span)
    return hits
