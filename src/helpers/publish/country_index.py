"""The Countries page: one row per country with data (Eurostat's, or the OECD's for the countries
Eurostat does not survey), linking to its page.
"""

from __future__ import annotations

from helpers.catalogue import load_catalogue
from helpers.publish.outputs import Markup
from helpers.publish.text import markdown_text


def country_index(store):
    """The Countries page: one row per country with data, linking to its page."""
    import pandas as pd

    from helpers.analysis.claims import oecd_not_fetched
    from helpers.store.tidy import countries_with_data, oecd_countries_with_data

    catalogue = load_catalogue()
    rows = []
    for geo in [*countries_with_data(store), *oecd_countries_with_data(store)]:
        values = store[(store.geo == geo) & store.value.notna()]
        rows.append(
            {
                "country": Markup(f"[{markdown_text(catalogue.labels['geo'][geo])}](countries/{geo}.html)"),
                "code": geo,
                "data from": "the OECD's ICT database" if geo in catalogue.oecd_countries else "Eurostat",
                "years with data": f"{values.year.min()}-{values.year.max()}",
                "values": len(values),
                "flagged values": int((values.flag != "").sum()),
            }
        )
    if oecd_not_fetched(store):  # their pages say why they have no figures
        for geo in catalogue.oecd_countries:
            rows.append(
                {
                    "country": Markup(f"[{markdown_text(catalogue.labels['geo'][geo])}](countries/{geo}.html)"),
                    "code": geo,
                    "data from": "the OECD's ICT database (its data could not be fetched)",
                    "years with data": "none",
                    "values": 0,
                    "flagged values": 0,
                }
            )
    return pd.DataFrame(rows)
