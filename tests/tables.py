"""Small hand-made tidy tables with known answers, for the comparison and claims tests."""

import pandas as pd

from helpers.store.tidy import COLUMNS


def tidy(rows):
    """rows: (indic_is, unit, ind_type, geo, year, value[, flag[, confidentiality]])."""
    records = []
    for row in rows:
        indic, unit, group, geo, year, value, *marks = row
        flag, confidentiality = (*marks, "", "")[:2]
        dataset = {
            "I_IU3": "isoc_ci_ifp_iu",
            "I_ILT12": "isoc_ci_ifp_iu",
            "I_IUGOV12": "isoc_ciegi_ac",
            "H_IACC": "isoc_ci_in_h",
        }.get(indic, "isoc_ci_ac_i")
        records.append((dataset, indic, unit, group, geo, year, float(value), flag, confidentiality))
    frame = pd.DataFrame(records, columns=COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    return frame


def education_rows(year, values, indic="I_IUSNET", unit="PC_IND"):
    """values: {geo: (high, low)} -> rows for I5_8 and I0_2."""
    rows = []
    for geo, (high, low) in values.items():
        rows.append((indic, unit, "I5_8", geo, year, high))
        rows.append((indic, unit, "I0_2", geo, year, low))
    return rows
