"""Rebuild matchers/data/words2.txt, the two-character word list used to tell
ordinary language from a disguised mark (奉节好精品: 精品 is a word, so 精 is not
a homophone standing in for 景).

Source: the dictionary of jieba 0.42.1 (MIT, https://github.com/fxsjy/jieba),
`jieba/dict.txt` (word, corpus frequency, part of speech).  Kept: words of
exactly two Han characters with frequency >= MIN_FREQUENCY, so rare
dictionary entries do not veto real disguises.

Run:  .venv/bin/python matchers/data/build_words.py [path/to/dict.txt or jieba sdist .tar.gz]
(without an argument the installed `jieba` package is used).
"""

from __future__ import annotations

import importlib.util
import io
import sys
import tarfile
import unicodedata
from pathlib import Path

MIN_FREQUENCY = 30
OUTPUT = Path(__file__).with_name("words2.txt")


def read_dictionary(argument: str | None) -> str:
    if argument is None:
        spec = importlib.util.find_spec("jieba")
        if spec is None or spec.origin is None:
            sys.exit("give the path of jieba's dict.txt or sdist, or pip install jieba==0.42.1")
        return (Path(spec.origin).parent / "dict.txt").read_text(encoding="utf-8")
    path = Path(argument)
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith("jieba/dict.txt"))
            handle = archive.extractfile(member)
            assert handle is not None
            return io.TextIOWrapper(handle, encoding="utf-8").read()
    return path.read_text(encoding="utf-8")


def is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED")


def main() -> None:
    words = set()
    for line in read_dictionary(sys.argv[1] if len(sys.argv) > 1 else None).splitlines():
        parts = line.split()
        if (
            len(parts) >= 2
            and len(parts[0]) == 2
            and all(map(is_han, parts[0]))
            and int(parts[1]) >= MIN_FREQUENCY
        ):
            words.add(parts[0])
    header = f"# two-character words (jieba 0.42.1 dict.txt, frequency >= {MIN_FREQUENCY}); built by build_words.py\n"
    OUTPUT.write_text(header + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} words to {OUTPUT}")


if __name__ == "__main__":
    main()
