"""The mutation runner (tests/mutation.py): which mutants `--rerun-survivors` tests again."""

from __future__ import annotations

from mutation import survivors_matching

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
