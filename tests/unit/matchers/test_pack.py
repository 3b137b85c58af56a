"""Brand pack loading: the shipped pack loads, broken packs name every problem precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchers.pack import PackError, Problem, check_pack, load_pack, uscc_check_character, uscc_problem

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "packs"
BROKEN = sorted(path.name for path in FIXTURES.iterdir() if (path / "expected.txt").is_file())


def expected_problems(name: str) -> list[tuple[str, str, str]]:
    rows = []
    for line in (FIXTURES / name / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            file, location, message = (part.strip() for part in line.split("|", 2))
            rows.append((file, location, message))
    return rows


@pytest.mark.parametrize("name", BROKEN)
def test_broken_pack_reports_each_expected_problem(name):
    problems = check_pack(FIXTURES / name)
    for file, location, message in expected_problems(name):
        assert any(p.file == file and p.location == location and message in p.message for p in problems), (
            f"missing {file} | {location} | {message}; got:\n" + "\n".join(map(str, problems))
        )


@pytest.mark.parametrize("name", BROKEN)
def test_broken_pack_is_never_loaded(name):
    with pytest.raises(PackError) as caught:
        load_pack(FIXTURES / name)
    assert caught.value.problems
    assert all(isinstance(p, Problem) for p in caught.value.problems)


def test_utf8_bom_and_crlf_are_accepted():
    pack = load_pack(FIXTURES / "bom-ok")
    assert pack.brand == "奉上好品"
    assert [lic.licensee_id for lic in pack.licensees] == ["L1"]


def test_fengjie_pack_is_valid_and_complete(repo_root):
    pack = load_pack(repo_root / "brandpacks" / "fengjie")
    texts = {mark.text for mark in pack.word_marks}
    assert texts == {"奉上好品", "奉节好品", "奉节好味", "奉节好景"}
    assert pack.mark("FSHP").aliases == ("Fengshang Haopin",)
    gi = pack.mark("FJQC")
    for town in ("草堂镇", "夔州街道", "太和土家族乡", "云雾土家族乡", "鹤峰乡", "奉节县"):
        assert town in gi.origin
    assert gi.season == ("11-01", "06-30")
    from matchers.records import VIOLATION_CODES

    assert set(pack.legal_basis) == set(VIOLATION_CODES)
    assert "第九条" in pack.legal_basis["FALSE_TRACE_CLAIM"]
    statuses = {lic.status for lic in pack.licensees}
    assert statuses == {"active", "suspended", "revoked", "withdrawn", "eliminated"}
    platforms = {shop.platform for lic in pack.licensees for shop in lic.shops}
    assert platforms >= {"demo-taobao", "demo-jd", "demo-pdd", "demo-douyin", "demo-xianyu"}
    assert all("虚构" in lic.name for lic in pack.licensees)


@pytest.mark.parametrize(
    "code, problem",
    [
        ("91350100M000100Y43", None),  # a published example code
        ("91500236MA5U1A2B3C", None),
        ("91500236MA5U1A2B3D", "check character"),
        ("91500236MA5U1A2B3", "17 characters"),
        ("91500236MA5U1A2BIC", "not allowed"),  # I is not in the GB 32100 alphabet
        ("91500236MA5U1A2BOC", "not allowed"),
    ],
)
def test_uscc_check_character(code, problem):
    result = uscc_problem(code)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_uscc_check_value_31_maps_to_zero():
    # Find a body whose weighted sum is a multiple of 31: check value 31 must wrap to '0'.
    body = next(
        f"9150023600000{n:04d}" for n in range(10000) if uscc_check_character(f"9150023600000{n:04d}") == "0"
    )
    assert uscc_problem(body + "0") is None


def test_missing_pack_folder_is_a_problem(tmp_path):
    problems = check_pack(tmp_path / "nope")
    assert problems and "is not a folder" in problems[0].message


def test_missing_files_are_problems(tmp_path):
    problems = check_pack(tmp_path)
    assert {(p.file, p.message) for p in problems} >= {
        ("brand.yaml", "is missing"),
        ("licensees.csv", "is missing"),
    }


def test_oversized_logo_is_refused_without_decoding(tmp_path, monkeypatch):
    from PIL import Image

    import matchers.pack as pack_module

    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "bom-ok", pack)
    (pack / "logos").mkdir()
    Image.new("RGB", (300, 300), "white").save(pack / "logos" / "big.png")
    with (pack / "brand.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - id: LOGO_BIG\n    kind: logo\n    file: logos/big.png\n")
    monkeypatch.setattr(pack_module, "MAX_LOGO_PIXELS", 10_000)
    problems = check_pack(pack)
    assert any(p.location == "marks[1].file" and "pixels" in p.message for p in problems)


def test_pack_error_message_lists_problems():
    with pytest.raises(PackError) as caught:
        load_pack(FIXTURES / "bad-licensees")
    text = str(caught.value)
    assert "licensees.csv: line 2, column uscc" in text


def test_pack_check_cli_passes_on_fengjie(repo_root, capsys):
    from crawler.cli import main

    assert main(["pack", "check", str(repo_root / "brandpacks" / "fengjie")]) == 0
    assert "OK" in capsys.readouterr().out


def test_pack_check_cli_prints_every_problem_and_fails(capsys):
    from crawler.cli import main

    status = main(["pack", "check", str(FIXTURES / "bad-licensees")])
    err = capsys.readouterr().err
    assert status != 0
    for file, location, message in expected_problems("bad-licensees"):
        assert f"{file}: {location}: " in err and message in err


def test_optional_owner_and_timezone_default(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "bom-ok", pack)
    text = (pack / "brand.yaml").read_text(encoding="utf-8-sig")
    kept = [line for line in text.splitlines() if not line.startswith(("owner:", "timezone:"))]
    (pack / "brand.yaml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    loaded = load_pack(pack)
    assert loaded.owner == "" and loaded.timezone == "Asia/Shanghai"


def test_one_shop_may_hold_several_licence_rows(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "bom-ok", pack)
    with (pack / "licensees.csv").open("a", encoding="utf-8") as register:
        register.write(
            "L2,重庆市奉节县示例果业有限公司（虚构）,91500236MA5U1A2B3C,revoked,FSHP,,2024-01-01,,2024-12-31,,demo-taobao:tb_1\n"
        )
    assert [lic.licensee_id for lic in load_pack(pack).licensees] == ["L1", "L2"]


def test_unreadable_brand_yaml_does_not_flag_every_licensee(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "bom-ok", pack)
    (pack / "brand.yaml").write_text("brand: [unclosed\n", encoding="utf-8")
    problems = check_pack(pack)
    assert [p.file for p in problems] == ["brand.yaml"]
    assert "not valid YAML" in problems[0].message


@pytest.mark.parametrize(
    "cell, ok",
    [("2026-06-30", True), ("2026/6/30", True), ("2026.06.30", True), ("2026年6月30日", True),
     ("2026-02-30", False), ("30/06/2026", False), ("2026-6", False), ("soon", False)],
)  # fmt: skip
def test_register_dates_as_spreadsheets_write_them(tmp_path, cell, ok):
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "bom-ok", pack)
    text = (pack / "licensees.csv").read_text(encoding="utf-8-sig").replace("2025-01-01", cell)
    (pack / "licensees.csv").write_text(text, encoding="utf-8")
    problems = check_pack(pack)
    assert (problems == []) is ok
    if not ok:
        assert problems[0].location == "line 2, column valid_from" and "YYYY-MM-DD" in problems[0].message


@pytest.mark.parametrize(
    "cell, status",
    [
        ("active", "active"),
        ("Active", "active"),
        ("暂停", "suspended"),
        ("授权取消", "revoked"),
        ("末位淘汰", "eliminated"),
    ],
)
def test_status_in_english_or_chinese(tmp_path, cell, status):
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "bom-ok", pack)
    text = (pack / "licensees.csv").read_text(encoding="utf-8-sig").replace(",active,", f",{cell},")
    if status in ("revoked", "eliminated"):
        text = text.replace(",2025-01-01,,,,", ",2025-01-01,,2025-12-31,,")
    (pack / "licensees.csv").write_text(text, encoding="utf-8")
    assert load_pack(pack).licensees[0].status == status


# -- robustness: whatever the association types, check_pack answers with problems, never a crash --------


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8))
_KEYS = st.sampled_from(["brand", "owner", "timezone", "marks", "claims", "id", "kind", "text", "aliases", "origin",
                         "season", "file", "of", "goods", "legal_basis", "reference_prices", "unit", "min", "x"])  # fmt: skip
_YAML_VALUES = st.recursive(
    _SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    document=st.dictionaries(_KEYS, _YAML_VALUES, max_size=8),
    rows=st.lists(st.lists(st.text(max_size=12), max_size=12), max_size=4),
)
def test_any_pack_content_gives_problems_not_a_crash(tmp_path_factory, document, rows):
    import csv
    import io

    import yaml

    pack = tmp_path_factory.mktemp("fuzz")
    (pack / "brand.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["licensee_id", "name", "uscc", "status", "marks", "goods", "valid_from", "valid_to",
                     "exit_date", "disposal_deadline", "shops"])  # fmt: skip
    writer.writerows(rows)
    (pack / "licensees.csv").write_text(buffer.getvalue(), encoding="utf-8")
    problems = check_pack(pack)
    assert all(isinstance(p, Problem) and p.message for p in problems)
