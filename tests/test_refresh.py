"""The fetch replaces data/raw only with data that makes a valid store (helpers.store.refresh).

The parser already refuses most bad answers; these tests hold the last gate on its own: data
that the store's validation rejects (whatever the rule) never replaces the data in use.
"""

from __future__ import annotations

import pytest

from helpers.base.errors import FetchError, ValidationError
from helpers.store import tidy
from helpers.store.refresh import fetch_all
from pipeline import snapshot


def reject(table, catalogue):
    raise ValidationError("the tidy table is not valid, nothing was written:\n- a rule the parser does not know")


def test_a_refresh_whose_data_would_not_make_a_valid_store_keeps_the_data_in_use(
    tmp_path, synthetic_mirror, monkeypatch
):
    raw = tmp_path / "raw"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    before, entries = snapshot(raw), sorted(raw.rglob("*"))
    monkeypatch.setattr(tidy, "validate", reject)
    with pytest.raises(
        FetchError, match="would not make a valid store, so the previous data was kept: (?s:.*)a rule the parser"
    ):
        fetch_all(raw, source="mirror", mirror=synthetic_mirror, refresh=True)
    assert snapshot(raw) == before and sorted(raw.rglob("*")) == entries  # no file replaced, no staging folder left


def test_a_first_fetch_whose_data_would_not_make_a_valid_store_leaves_no_data(tmp_path, synthetic_mirror, monkeypatch):
    raw = tmp_path / "raw"
    monkeypatch.setattr(tidy, "validate", reject)
    with pytest.raises(FetchError, match="would not make a valid store"):
        fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    assert sorted(p.name for p in raw.iterdir()) == []  # nothing half-written: `make data` fetches again
