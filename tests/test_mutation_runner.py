"""The mutation runner (tests/mutation.py): which mutants `--rerun-survivors` tests again."""

from __future__ import annotations

from mutation import refresh_data_files, survivors_matching

FOUND = {
    "src/helpers/store/tidy.py": {
        "helpers.store.tidy.x_validate__mutmut_1": "killed",
        "helpers.store.tidy.x_validate__mutmut_2": "survived",
        "helpers.store.tidy.x_validate__mutmut_3": "not checked",
        "helpers.store.tidy.x_validate__mutmut_4": "timeout",
    },
    "src/helpers/acquire/oecd_csv.py": {
        "helpers.acquire.oecd_csv.x_parse__mutmut_9": "survived",
        "helpers.acquire.oecd_csv.x_parse__mutmut_10": "no tests",
    },
}


def test_the_survivors_again_are_every_modules_without_a_pattern_and_only_those_matched_with_one():
    assert survivors_matching(FOUND, []) == [
        "helpers.store.tidy.x_validate__mutmut_2",
        "helpers.acquire.oecd_csv.x_parse__mutmut_9",
        "helpers.acquire.oecd_csv.x_parse__mutmut_10",
    ]
    assert survivors_matching(FOUND, ["helpers.store.tidy.*"]) == ["helpers.store.tidy.x_validate__mutmut_2"]
    assert survivors_matching(FOUND, ["helpers.analysis.*"]) == []  # nothing to test again: not every mutant


def test_a_changed_catalogue_file_reaches_mutmuts_copy_and_an_unchanged_one_is_left(tmp_path):
    src, copy = tmp_path / "src", tmp_path / "mutants" / "src"
    for root in (src, copy):
        (root / "helpers" / "catalogue").mkdir(parents=True)
        (root / "helpers" / "catalogue" / "series.toml").write_text("same\n")
    (src / "helpers" / "catalogue" / "claims.toml").write_text("citation at the top\n")
    (copy / "helpers" / "catalogue" / "claims.toml").write_text("citation under [successors]\n")
    (src / "helpers" / "claims.py").write_text("# mutmut's own business\n")
    assert refresh_data_files(src, copy) == ["helpers/catalogue/claims.toml"]
    assert (copy / "helpers" / "catalogue" / "claims.toml").read_text() == "citation at the top\n"
    assert not (copy / "helpers" / "claims.py").exists()
