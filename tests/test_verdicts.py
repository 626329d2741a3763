"""The verdicts file: computed once per build, read by every page, exactly as computed, refused when stale."""

import ast
import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from helpers.analysis.claims import scorecard
from helpers.analysis.verdicts import (
    compute_verdicts,
    main,
    read_verdicts,
    registry_digest,
    store_digest,
    verdicts_inputs,
    verdicts_text,
    write_verdicts,
)
from helpers.base.errors import MissingData, StaleVerdicts
from helpers.store.tidy import load_store, mark_unavailable, write_store
from tables import education_rows, tidy

ANALYSIS = ROOT / "src" / "helpers" / "analysis"


def youth(year, values, indic="I_IUPOL2", unit="PC_IND"):
    return [(indic, unit, "Y16_24", geo, year, v) for geo, v in values.items()]


def seniors(year, values, unit="PC_IND", flags=None):
    flags = flags or {}
    return [("I_IUSNET", unit, "Y65_74", geo, year, v, flags.get(geo, "")) for geo, v in values.items()]


def oecd(indic, year, values):
    return [(indic, "PT_POP", "Y55T74", geo, year, v) for geo, v in values.items()]


def small_store() -> pd.DataFrame:
    """A store that gives the registry's claims every kind of result: candidates with best and beside, a
    latest year on a successor indicator, untested checks (NaN values), flags, targets, an OECD part."""
    return tidy(
        youth(2013, {"NL": 32, "AT": 8, "DE": 20}, indic="I_IUPOL1")
        + youth(2019, {"NL": 31, "AT": 9, "DE": 20}, indic="I_IUPOL1")
        + youth(2023, {"NL": 25, "AT": 12, "DE": 30})
        + youth(2013, {"NL": 12, "AT": 20, "DE": 25}, indic="I_IUVOTE")
        + seniors(2013, {"IS": 18, "NO": 25, "UK": 21}, flags={"UK": "u"})
        + seniors(2013, {"IS": 24, "NO": 31, "UK": 26}, unit="PC_IND_IU3")
        + seniors(2023, {"IS": float("nan"), "NO": 27, "UK": 24}, flags={"IS": "c"})
        + education_rows(2013, {"ES": (60.2, 30.2), "EU28": (55, 20), "TR": (50, 10)})
        + education_rows(2024, {"ES": (70, 35), "TR": (60, 20)})
        + oecd("D1B_I", 2013, {"KOR": 21.4})
        + oecd("D1B_I", 2022, {"KOR": 40})
        + oecd("C5B_I", 2013, {"JPN": 55, "USA": 49.5})
    )


def canonical(value):
    """A value with every type kept apart (a tuple is not a list, 1 is not 1.0, NaN is NaN) and dict keys
    sorted: two results that give the same canonical value are the same results."""
    if dataclasses.is_dataclass(value):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return (type(value).__name__, sorted(fields.items()))
    if isinstance(value, dict):
        return ("dict", sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [canonical(v) for v in value])
    return (type(value).__name__, repr(value))


def test_the_file_gives_back_every_result_exactly(tmp_path):
    store = small_store()
    computed = compute_verdicts(store, 2013, "paper", 0)
    kinds = {(r.claim["id"], bool(r.beside), bool(r.latest and r.latest.chained_from)) for r in computed}
    assert ("S-1", True, False) in kinds and ("Y-1", False, True) in kinds  # a beside, a successor: both exercised
    assert any(c.status == "untested" for r in computed if r.best for c in r.best.checks)
    assert any(r.oecd and r.oecd.best and r.oecd.best.verdict != "no data" for r in computed)
    path = tmp_path / "verdicts.json"
    write_verdicts(path, computed, verdicts_inputs(store, 2013, "paper", 0))
    read = read_verdicts(path, store)
    assert canonical(read) == canonical(computed)
    for result in read:  # best and beside are trials of the result's own list, as computed
        assert result.best is None or any(result.best is t for t in result.trials)
        assert result.beside is None or any(result.beside is t for t in result.trials)
    pd.testing.assert_frame_equal(scorecard(read, store), scorecard(computed, store))


def test_a_claim_not_checked_comes_back_not_checked(tmp_path):
    from test_oecd import not_fetched_provenance

    store = mark_unavailable(small_store(), not_fetched_provenance())
    computed = compute_verdicts(store, 2013, "paper", 0)
    assert any(r.oecd and r.oecd.not_checked for r in computed)
    path = tmp_path / "verdicts.json"
    write_verdicts(path, computed, verdicts_inputs(store, 2013, "paper", 0))
    assert canonical(read_verdicts(path, store)) == canonical(computed)
    with pytest.raises(StaleVerdicts, match="computed from other data"):  # what was not fetched is the data's too
        read_verdicts(path, small_store())


def test_the_same_data_give_the_same_bytes_and_no_write(tmp_path):
    store = small_store()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert write_verdicts(first, compute_verdicts(store, 2013, "paper", 0), verdicts_inputs(store, 2013, "paper", 0))
    again = small_store()  # another object, the same content, evaluated afresh
    write_verdicts(second, compute_verdicts(again, 2013, "paper", 0), verdicts_inputs(again, 2013, "paper", 0))
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text.startswith('{\n "computed_from": {') and text.endswith("\n") and "NaN" not in text
    before = first.stat().st_mtime_ns
    assert not write_verdicts(
        first, compute_verdicts(store, 2013, "paper", 0), verdicts_inputs(store, 2013, "paper", 0)
    )
    assert first.stat().st_mtime_ns == before  # unchanged text: not written (make's times stay meaningful)


def test_a_file_from_other_data_is_refused_in_one_line(tmp_path):
    store = small_store()
    path = tmp_path / "verdicts.json"
    write_verdicts(path, compute_verdicts(store, 2013, "paper", 0), verdicts_inputs(store, 2013, "paper", 0))
    read_verdicts(path, small_store())  # the same content loaded again: accepted
    store.loc[store.geo == "NL", "value"] = 11.6  # changed in place, as in a JupyterLab kernel
    with pytest.raises(StaleVerdicts) as refused:
        read_verdicts(path, store)
    assert str(refused.value) == f"the verdicts in {path} were computed from other data; run make report"


def test_a_file_for_other_settings_is_refused_naming_the_setting(tmp_path):
    store = small_store()
    path = tmp_path / "verdicts.json"
    write_verdicts(path, compute_verdicts(store, 2013, "paper", 0), verdicts_inputs(store, 2013, "paper", 0))
    read_verdicts(path, store, paper_year=2013, latest_year=0, comparison="paper")
    with pytest.raises(StaleVerdicts, match="computed for PAPER_YEAR=2013, not 2012; run make report PAPER_YEAR=2012"):
        read_verdicts(path, store, paper_year=2012)
    with pytest.raises(StaleVerdicts, match="COMPARISON=paper, not eu27"):
        read_verdicts(path, store, comparison="eu27")


def test_a_missing_or_foreign_file_is_refused_in_one_line(tmp_path):
    path = tmp_path / "data" / "verdicts.json"
    with pytest.raises(MissingData) as missing:
        read_verdicts(path, small_store())
    assert str(missing.value) == f"no verdicts in {path}: run `make report` first"
    path.parent.mkdir()
    path.write_text('{"results": []}', encoding="utf-8")
    with pytest.raises(StaleVerdicts, match="is not a verdicts file this code reads"):
        read_verdicts(path)


def test_the_digest_is_of_the_content():
    store = small_store()
    assert store_digest(store) == store_digest(small_store()) == store_digest(store.copy())
    changed = store.copy()
    changed.loc[0, "flag"] = "u"
    assert store_digest(changed) != store_digest(store)


def test_the_command_writes_the_file_once_and_keeps_it_up_to_date_for_make(tmp_path):
    processed, output = tmp_path / "processed", tmp_path / "report" / "data" / "verdicts.json"
    write_store(small_store(), {"datasets": []}, processed)
    arguments = ["--processed-dir", str(processed), "--output", str(output), "--paper-year", "2013"]
    assert main(arguments) == 0
    results = read_verdicts(output, load_store(processed), paper_year=2013, latest_year=0, comparison="paper")
    assert {r.claim["id"] for r in results} >= {"Y-1", "S-1"}
    text, written = output.read_bytes(), output.stat().st_mtime_ns
    os.utime(output, ns=(written - 10**9, written - 10**9))
    assert main(arguments) == 0  # the same verdicts: the same bytes, and as new as their inputs for make
    assert output.read_bytes() == text and output.stat().st_mtime_ns > written - 10**9
    assert main([*arguments[:-1], "2012"]) == 0 and output.read_bytes() != text  # other verdicts


def test_the_command_says_a_missing_store_in_one_line(tmp_path, capsys):
    assert main(["--processed-dir", str(tmp_path), "--output", str(tmp_path / "v.json"), "--paper-year", "2013"]) == 1
    assert capsys.readouterr().err.startswith(f"error: no processed store at {tmp_path}")


# ----------------------------------------------------------------------------- no cache keyed on an object


def _module_level_containers(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        value = getattr(node, "value", None)
        mutable = isinstance(value, (ast.Dict, ast.List, ast.Set)) or (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in ("dict", "list", "set")
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name) and mutable}
    return names


@pytest.mark.parametrize("path", sorted(ANALYSIS.glob("*.py")), ids=lambda p: p.name)
def test_no_module_of_the_analysis_remembers_anything_by_an_object_s_identity(path: Path):
    """No `id()` at all, and no module-level container that a function fills (a cache): what is
    remembered (the registry's parsed text) is remembered by its content, through functools."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert not [n.lineno for n in calls if n.func.id == "id"], f"{path.name} calls id()"
    containers = _module_level_containers(tree)
    filled = set()
    for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        for node in ast.walk(function):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
                filled |= {node.value.id} if isinstance(node.value, ast.Name) else set()
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
            ):
                if node.func.attr in ("pop", "clear", "setdefault", "update", "append", "add", "popitem"):
                    filled.add(node.func.value.id)
    assert not containers & filled, f"{path.name} keeps a module-level cache: {sorted(containers & filled)}"
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        cached = [d for d in function.decorator_list if "cache" in ast.unparse(d)]
        if cached:  # a functools cache is keyed on its arguments: only texts, which are content
            annotations = [ast.unparse(a.annotation) if a.annotation else "" for a in function.args.args]
            assert all(
                a in ("str", "bytes") for a in annotations
            ), f"{path.name}: {function.name} caches by {annotations}"


# ----------------------------------------------------------------------------- the command and the refusals
# on files written here (no evaluation of the registry: each test well under a second)


def written_file(tmp_path, store=None, **settings):
    """A verdicts file with no results, recording `store` (a small one by default) and the settings given."""
    store = small_store() if store is None else store
    inputs = verdicts_inputs(
        store, settings.get("paper_year", 2013), settings.get("comparison", "paper"), settings.get("latest_year", 0)
    )
    path = tmp_path / "verdicts.json"
    write_verdicts(path, [], inputs)
    return path, inputs


def test_the_command_passes_on_the_settings_it_is_given_and_records_them(tmp_path, monkeypatch):
    from helpers.analysis import verdicts

    asked = []
    monkeypatch.setattr(verdicts, "compute_verdicts", lambda store, *settings: asked.append(settings) or [])
    processed, output = tmp_path / "processed", tmp_path / "verdicts.json"
    write_store(small_store(), {"datasets": []}, processed)
    arguments = ["--processed-dir", str(processed), "--output", str(output), "--paper-year", "2012"]
    assert main([*arguments, "--latest-year", "2019", "--comparison", "eu27"]) == 0
    assert asked == [(2012, "eu27", 2019)] and [type(s) for s in asked[0]] == [int, str, int]
    store = load_store(processed)
    assert read_verdicts(output, store, paper_year=2012, latest_year=2019, comparison="eu27") == []
    assert main(arguments) == 0  # the defaults: the latest year with data, the paper's countries
    assert asked[1] == (2012, "paper", 0)
    assert read_verdicts(output, store, paper_year=2012, latest_year=0, comparison="paper") == []


def test_the_command_says_what_it_does_and_refuses_a_missing_argument(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    said = f" {' '.join(capsys.readouterr().out.split())} "  # argparse wraps the lines; each text whole, in spaces
    for words in (
        "Compute every claim's verdicts once for the build's settings.",
        "the tidy store (data/processed)",
        "the verdicts file (report/data/verdicts.json)",
        "0: the latest year with data",
        "the countries ranked: paper, eu27 or all",
    ):
        assert f" {words} " in said
    arguments = {"--processed-dir": str(tmp_path), "--output": str(tmp_path / "v.json"), "--paper-year": "2013"}
    for missing in arguments:
        given = [word for name, value in arguments.items() if name != missing for word in (name, value)]
        with pytest.raises(SystemExit) as exit_:
            main(given)
        assert exit_.value.code == 2 and f"the following arguments are required: {missing}" in capsys.readouterr().err


def test_the_inputs_record_the_registrys_paper_year_when_none_is_given_and_the_hashes_by_name():
    store = small_store()
    inputs = verdicts_inputs(store, 0, "all", 2019)
    assert inputs == {
        "settings": {"paper_year": 2013, "latest_year": 2019, "comparison": "all"},
        "store": store_digest(store),
        "registry": registry_digest(),
    }
    assert verdicts_inputs(store, 2012, "all", 0)["settings"]["paper_year"] == 2012
    registry = (ROOT / "src" / "helpers" / "catalogue" / "claims.toml").read_bytes()
    assert registry_digest() == "sha256:" + hashlib.sha256(registry).hexdigest()
    assert store_digest(store).startswith("sha256:") and len(store_digest(store)) == len("sha256:") + 64


def test_the_digest_sees_the_index_the_types_and_what_was_not_fetched_in_any_order():
    store = small_store()
    assert store_digest(store.set_axis(store.index + 1)) != store_digest(store)  # the same rows, another index
    assert store_digest(store.rename(columns={"flag": "flags"})) != store_digest(store)  # the same cells
    retyped = store.astype({"year": "int32"})
    assert retyped.equals(store) is False and store_digest(retyped) != store_digest(store)
    first, second = store.copy(), store.copy()
    first.attrs["unavailable"] = {"a": "down", "b": "429"}
    second.attrs["unavailable"] = {"b": "429", "a": "down"}
    assert store_digest(first) == store_digest(second) != store_digest(store)
    second.attrs["unavailable"] = {}  # nothing unavailable, said or not: the same data
    assert store_digest(second) == store_digest(store)
    first.attrs["unavailable"] = {"a": pd.Timestamp("2026-01-02")}  # a value JSON has no type for: written as text
    assert store_digest(first) != store_digest(store)


def test_the_file_is_strict_json_in_its_own_format_and_writes_words_as_they_are(tmp_path):
    text = verdicts_text([], {"registry": "é"})
    assert text == '{\n "computed_from": {\n  "registry": "é"\n },\n "format": 1,\n "results": []\n}\n'
    with pytest.raises(ValueError):  # a NaN is written as null before, never as NaN (not JSON)
        verdicts_text([], {"value": float("nan")})


def test_a_file_this_code_cannot_read_is_refused_saying_why(tmp_path):
    path, _ = written_file(tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    for text, why in (
        ("{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("[]", "list indices must be integers or slices, not str"),
        ('{"results": []}', "'computed_from'"),
        (json.dumps({**document, "format": 2}), "format 2"),
        (json.dumps({k: v for k, v in document.items() if k != "format"}), "format None"),
    ):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(StaleVerdicts) as refused:
            read_verdicts(path)
        assert str(refused.value) == f"{path} is not a verdicts file this code reads ({why}); run make report"


def test_a_file_from_another_registry_or_latest_year_is_refused_in_one_line(tmp_path):
    path, inputs = written_file(tmp_path, latest_year=2019)
    assert read_verdicts(path, latest_year=2019) == []
    with pytest.raises(StaleVerdicts) as refused:
        read_verdicts(path, latest_year=0)
    assert str(refused.value) == (
        f"the verdicts in {path} were computed for LATEST_YEAR=2019, not 0; run make report LATEST_YEAR=0"
    )
    write_verdicts(path, [], {**inputs, "registry": "sha256:another"})
    with pytest.raises(StaleVerdicts) as refused:
        read_verdicts(path)
    assert str(refused.value) == (
        f"the verdicts in {path} were computed from another claims registry "
        "(src/helpers/catalogue/claims.toml); run make report"
    )


def test_the_verdicts_are_computed_for_the_settings_given_among_the_comparison_named(monkeypatch):
    from helpers.analysis import verdicts
    from helpers.catalogue import load_catalogue

    asked = []
    monkeypatch.setattr(verdicts, "evaluate_all", lambda *arguments: asked.append(arguments) or [])
    store = small_store()
    assert compute_verdicts(store, 2012, "eu27", 2019) == []
    [(given, paper_year, compared, latest_year)] = asked
    assert given is store and (paper_year, latest_year) == (2012, 2019)
    assert compared == load_catalogue().comparison("eu27") and compared is not None


def test_a_file_with_words_beyond_ascii_reads_back_whatever_the_locale(tmp_path, ascii_locale):
    from helpers.analysis.claims import ClaimResult

    computed = [ClaimResult({"id": "E-1", "summary": "the widest gap is in Türkiye"}, [], None, None)]
    path = tmp_path / "verdicts.json"
    store = small_store()
    assert write_verdicts(path, computed, verdicts_inputs(store, 2013, "paper", 0))
    assert "Türkiye".encode("utf-8") in path.read_bytes()
    assert canonical(read_verdicts(path, store)) == canonical(computed)
    assert not write_verdicts(path, computed, verdicts_inputs(store, 2013, "paper", 0))  # the same text: not written
