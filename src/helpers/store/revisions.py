"""The cells that changed between two tidy stores: revised, appeared, vanished, re-flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.store.tidy import KEY

SERIES = ["dataset", "indic_is", "unit", "ind_type"]


def cell_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Every cell whose value or flag differs, with the kind of change."""
    both = old.merge(new, on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    had, has = both["value_old"].notna(), both["value_new"].notna()
    revised = had & has & ~np.isclose(both["value_old"].fillna(0), both["value_new"].fillna(0), rtol=0, atol=1e-9)
    both["change"] = np.select(
        [revised, ~had & has, had & ~has, both["flag_old"].fillna("") != both["flag_new"].fillna("")],
        ["revised", "appeared", "vanished", "flag changed"],
        default="",
    )
    changes = both[both["change"] != ""].copy()
    changes["difference"] = changes["value_new"] - changes["value_old"]
    return changes[[*KEY, "value_old", "value_new", "difference", "flag_old", "flag_new", "change"]].reset_index(
        drop=True
    )
