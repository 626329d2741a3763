import pandas as pd

from helpers.claims import evaluate_all, evaluate_claim, headline, load_claims, scorecard
from tables import education_rows, tidy

REGISTRY = load_claims()


def claim(claim_id):
    return next(c for c in REGISTRY["claim"] if c["id"] == claim_id)


def test_every_claim_of_claims_md_is_in_the_registry():
    ids = {c["id"] for c in REGISTRY["claim"]}
    assert {"Y-1", "E-1", "E-2", "E-3", "E-4", "S-1", "S-2", "O-1", "O-2", "O-3"} <= ids
    out_of_scope = " ".join(c["quote"] for c in REGISTRY["claim"] if c["topic"] == "Not from Eurostat")
    for words in ("Twitter account", "Facebook page", "Ecuador", "270"):
        assert words in out_of_scope


def youth(year, values, indic="I_IUPOL2", unit="PC_IND"):
    return [(indic, unit, "Y16_24", geo, year, v) for geo, v in values.items()]


def test_y1_reproduced_by_the_candidate_that_fits_and_only_that_one():
    store = tidy(
        youth(2013, {"NL": 32, "AT": 8, "DE": 20})  # I_IUPOL2 2013 fits
        + youth(2013, {"NL": 12, "AT": 20, "DE": 25}, indic="I_IUVOTE")  # does not
        + youth(2020, {"NL": 25, "AT": 12, "DE": 30})  # latest: NL no longer leads
    )
    result = evaluate_claim(store, claim("Y-1"), 2013)
    assert result.verdict == "reproduced"
    assert result.fitting == ["I_IUPOL2 / PC_IND / Y16_24 / 2013"]
    assert result.latest.year == 2020
    assert result.latest_verdict == "partly"  # AT is still the lowest, nothing else holds


def test_y1_partly_when_only_some_checks_pass():
    store = tidy(youth(2013, {"NL": 32, "AT": 12, "DE": 20}))
    assert evaluate_claim(store, claim("Y-1"), 2013).verdict == "partly"


def test_e1_uses_the_eu_aggregate_with_tolerances():
    store = tidy(education_rows(2013, {"EU28": (53.4, 30.2), "DE": (50, 49)}))
    result = evaluate_claim(store, claim("E-1"), 2013)
    assert result.verdict == "reproduced", result.best.evidence
    store = tidy(education_rows(2013, {"EU28": (55, 30), "DE": (50, 49)}))
    assert evaluate_claim(store, claim("E-1"), 2013).verdict == "partly"  # high 55 is off by 2; low and gap fit


def test_e2_reports_sign_and_size_without_forcing_a_pass():
    store = tidy(education_rows(2013, {"DE": (50, 48), "NO": (80, 70), "DK": (70, 68), "FI": (60, 61), "AT": (40, 30)}))
    result = evaluate_claim(store, claim("E-2"), 2013)
    assert result.verdict == "partly"
    assert "FI gap within +/-5: FI -1.0 [pass]" in result.best.evidence
    assert "NO gap within +/-5: NO 10.0 [fail]" in result.best.evidence


def test_e4_needs_turkey_largest():
    store = tidy(education_rows(2013, {"TR": (70, 15), "EL": (80, 20)}))
    result = evaluate_claim(store, claim("E-4"), 2013)
    assert result.verdict == "partly"  # above 50 but not the largest (EL 60)


def test_no_data_when_the_series_is_absent():
    store = tidy(youth(2013, {"NL": 32}))
    assert evaluate_claim(store, claim("O-2"), 2013).verdict == "no data"


def test_not_in_eurostat_claims_are_listed_never_dropped():
    store = tidy(youth(2013, {"NL": 32, "AT": 8}))
    card = scorecard(evaluate_all(store))
    assert len(card) == len(REGISTRY["claim"])
    s2 = card[card.id == "S-2"].iloc[0]
    assert s2.verdict == "not in Eurostat" and "Japan" in s2.note
    assert card[card.id == "X-1"].verdict.item() == "not in Eurostat"


def test_s1_says_korea_is_not_in_eurostat():
    rows = [("I_IUSNET", "PC_IND", "Y65_74", geo, 2013, v) for geo, v in {"IS": 30, "NO": 25, "UK": 21}.items()]
    card = scorecard(evaluate_all(tidy(rows)))
    s1 = card[card.id == "S-1"].iloc[0]
    assert s1.verdict == "reproduced (Eurostat part)"
    assert "Korea" in s1.note


def test_headline_counts_the_verdicts():
    card = scorecard(evaluate_all(tidy(youth(2013, {"NL": 32, "AT": 8, "DE": 20}))))
    text = headline(card)
    assert "1 reproduced" in text and "Y-1" in text
    assert isinstance(card, pd.DataFrame)
