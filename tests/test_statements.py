"""The words readers read (helpers.publish.statements): each check said to hold or not as it did,
each verdict in its own column and colour, a change reported only when it is one."""

from __future__ import annotations

import re

import pytest

from helpers.analysis.claims import evaluate_claim, load_claims
from helpers.publish.outputs import verdict_span
from helpers.publish.statements import claim_statement, verdict_words
from helpers.publish.scorecard import verdict_table
from tables import education_rows, tidy


def claim(claim_id):
    return next(c for c in load_claims()["claim"] if c["id"] == claim_id)


def youth(year, values):
    return [("I_IUPOL2", "PC_IND", "Y16_24", geo, year, v) for geo, v in values.items()]


def said_of(statement: str, check: str) -> str:
    """What the statement says of one check: the words after its line's last ' - '."""
    line = next(line for line in statement.splitlines() if line.startswith(f"- {check}"))
    return line.rsplit(" - ", 1)[1]


def test_each_check_is_said_to_hold_or_not_as_it_passed_or_failed():
    # NL 32 is within 30-35 and leads; AT 12 is not below 10 but is the lowest
    result = evaluate_claim(tidy(youth(2013, {"NL": 32, "AT": 12, "DE": 20})), claim("Y-1"), 2013)
    statuses = {c.description: c.status for c in result.best.checks}
    assert statuses == {
        "NL within 30-35": "pass",
        "NL highest of 3 countries": "pass",
        "AT < 10": "fail",
        "AT lowest of 3 countries": "pass",
    }
    text = claim_statement(result)
    assert said_of(text, "Netherlands within 30-35") == "*holds*"
    assert said_of(text, "Austria below 10") == "*does not hold*"
    assert said_of(text, "Austria lowest of 3 countries") == "*holds*"


def test_an_untested_check_is_said_untested_never_failed():
    result = evaluate_claim(tidy(youth(2013, {"NL": 32, "DE": 20})), claim("Y-1"), 2013)  # no value for Austria
    text = claim_statement(result)
    assert said_of(text, "Austria below 10") == "*untested (no data)*"
    assert "does not hold" not in text


@pytest.mark.parametrize(
    "verdict, css",
    [
        ("reproduced", "verdict-reproduced"),
        ("partly", "verdict-partly"),
        ("not reproduced", "verdict-not-reproduced"),
        ("no data", "verdict-no-data"),
        ("partly (1 untested)", "verdict-partly"),
    ],
)
def test_a_verdict_is_spelled_out_and_coloured_as_itself(verdict, css, monkeypatch):
    from helpers.publish import BUILD_VARIABLE

    monkeypatch.setenv(BUILD_VARIABLE, "1")  # the build's span (JupyterLab's form is bold words: test_jupyterlab)
    span = str(verdict_span(verdict))
    assert verdict in span
    assert re.findall(r"verdict-[a-z-]+", span) == [css]


def test_the_verdict_table_puts_each_year_s_verdict_in_its_column():
    # reproduced in 2013; in 2020 only Austria's being the lowest still holds: partly
    store = tidy(youth(2013, {"NL": 32, "AT": 8, "DE": 20}) + youth(2020, {"NL": 25, "AT": 12, "DE": 30}))
    result = evaluate_claim(store, claim("Y-1"), 2013)
    assert (result.verdict, result.latest_verdict) == ("reproduced", "partly")
    table = verdict_table([result]).markdown.splitlines()
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    row = dict(zip(header, (cell.strip() for cell in table[2].strip("|").split("|"))))
    assert row["verdict, paper's year"] == str(verdict_span("reproduced"))
    assert row["verdict, latest year"] == str(verdict_span("partly"))
    assert row["years"] == "2013 / 2020"


def test_a_change_that_comes_only_from_missing_data_is_not_reported():
    gaps = {"ES": (60, 35), "UK": (70, 35), "HU": (70, 35), "PT": (70, 35), "EL": (70, 35)}  # ES 25: fails
    later = {g: v for g, v in gaps.items() if g != "ES"}  # ES not surveyed later: the rest pass
    store = tidy(education_rows(2013, gaps) + education_rows(2023, later))
    result = evaluate_claim(store, claim("E-3"), 2013)
    assert (result.verdict, result.latest_verdict) == ("partly", "reproduced")
    assert not result.change_is_real
    assert verdict_words(result) == "**partly** for 2013, the same for 2023 on the checks testable in both years"
    # a real change (ES tested in both years and now beyond 30) is reported
    store = tidy(education_rows(2013, gaps) + education_rows(2023, {**later, "ES": (70, 35)}))
    result = evaluate_claim(store, claim("E-3"), 2013)
    assert result.change_is_real
    assert verdict_words(result) == "**partly** for 2013, **reproduced** for 2023"
