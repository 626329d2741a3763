"""The Countries page: one row per country with data, linking to its page.
"""

from __future__ import annotations

import html

from helpers.catalogue import load_catalogue


def country_index(store):
    """The Countries page: one row per country with data, linking to its page."""
    import pandas as pd

    from helpers.store.tidy import countries_with_data

    catalogue = load_catalogue()
    rows = []
    for geo in countries_with_data(store):
        values = store[(store.geo == geo) & store.value.notna()]
        rows.append({
            "country": f'<a href="countries/{geo}.html">{html.escape(catalogue.labels["geo"][geo])}</a>',
            "code": geo,
            "years with data": f"{values.year.min()}-{values.year.max()}",
            "values": len(values),
            "flagged values": int((values.flag != "").sum()),
        })
    return pd.DataFrame(rows)
