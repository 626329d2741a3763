"""Where the data came from, said the same way in every notebook, figure and page."""

from __future__ import annotations

import pandas as pd

from helpers.publish.text import markdown_text

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA - these numbers were invented for testing and are NOT Eurostat's or the OECD's. "
    "Do not quote or publish them."
)


def is_synthetic(provenance: dict) -> bool:
    return bool(provenance.get("synthetic"))


def readable_time(stamp: str | None) -> str:
    """'2026-06-16T23:00:00+0200' -> '16 June 2026, 23:00 (UTC+02:00)'; '' or None -> 'unknown'."""
    if not stamp:
        return "unknown"
    try:
        moment = pd.Timestamp(stamp)
    except (ValueError, TypeError):
        return str(stamp)
    zone = moment.strftime("%z")
    zone = "UTC" if zone in ("", "+0000") else f"UTC{zone[:3]}:{zone[3:]}"
    return f"{moment.day} {moment.strftime('%B %Y, %H:%M')} ({zone})"


def publisher(record: dict) -> str:
    """Who published a dataset: the OECD for its ICT database, else Eurostat."""
    return "OECD" if record.get("publisher") == "OECD" else "Eurostat"


def where_from(record: dict) -> str:
    """The source as a reader may see it: the publisher's public address, or a mirror's label, never a
    path on the machine that built the report (the checksum identifies the file)."""
    if record.get("source") == "live":
        return record.get("location", f"{publisher(record)}'s API")
    label = record.get("mirror_label") or f"a local mirror of {publisher(record)} files"
    if not record.get("file"):
        return f"{label} (no file)"
    return f"{label} (file {record.get('file', record['dataset'])})"


def how_received(record: dict) -> str:
    """How one dataset reached the report, with the original retrieval's time, as Markdown: 'retrieved
    from Eurostat's API on 16 June 2026, 23:00 (UTC)', or 'read from a mirror (<its label>), its file
    dated ...' (a mirror says so, never pretends to be the API), then '; rebuilt from release 0.2.0' when
    this build read a release's data."""
    when = readable_time(record.get("retrieved_at"))
    if record.get("source") == "live":
        how = f"retrieved from {publisher(record)}'s API on {when}"
    else:
        # a mirror's time is its file's (what was retrieved when the mirror was made), not the reading's
        label = record.get("mirror_label") or f"of {publisher(record)} files"
        how = f"read from a mirror ({markdown_text(label)}), its file dated {when}"
    if record.get("no_data"):
        how += f" (no data: {markdown_text(record['no_data'])})"
    rebuilt = record.get("rebuilt_from")
    if rebuilt:
        if rebuilt.get("release"):
            commit = f" (commit {markdown_text(rebuilt['commit'][:12])})" if rebuilt.get("commit") else ""
            how += f"; rebuilt from release {markdown_text(rebuilt['release'])}{commit}"
        else:
            how += "; rebuilt from a kept copy of the data as received"
    return how


def origin_statement(provenance: dict) -> str:
    """The Data and methods page's words on where the data came from: the synthetic warning, or how each
    dataset was received (the original retrieval, also when this build was rebuilt from a release)."""
    records = provenance.get("datasets", [])
    if is_synthetic(provenance):
        lead = (
            "**These data are synthetic**: the mirror they came from declares itself invented (its `MIRROR.json`). "
            "No number on this site is Eurostat's."
        )
    else:
        lead = "The data were received as listed above:"
    parts = [lead, "\n".join(f"- `{r['dataset']}`: {how_received(r)}." for r in records)]
    if any(r.get("rebuilt_from") for r in records):
        parts.append(
            "The data were not fetched again: this build read the files exactly as first received, kept "
            "with their provenance records, so the dates above are those of the original retrieval."
        )
    return "\n\n".join(part for part in parts if part)


def provenance_table(records: list[dict]) -> pd.DataFrame:
    """One row per dataset: source, retrieval, last update, size and checksum."""
    rows = [
        {
            "dataset": r["dataset"],
            "from": (f"{publisher(r)} API: " if r["source"] == "live" else "mirror: ")
            + where_from(r)
            + (" - SYNTHETIC" if r.get("synthetic") else "")
            + (f" - NO DATA: {r['no_data']}" if r.get("no_data") else "")
            + (f" - NOT FETCHED: {r['unavailable']}" if r.get("unavailable") else ""),
            "retrieved": (
                f"not retrieved (tried {readable_time(r.get('attempted_at'))})"
                if r.get("unavailable")
                else readable_time(r.get("retrieved_at"))
            ),
            "publisher's last update": readable_time(r.get("last_update")),
            "series": r.get("series"),
            "values": r.get("rows"),
            "sha256 (first 12)": r.get("sha256", "")[:12],
        }
        for r in records
    ]
    return pd.DataFrame(rows)


def retrieval_date(provenance: dict, dataset: str) -> str:
    for record in provenance.get("datasets", []):
        if record["dataset"] == dataset:
            return (record.get("retrieved_at") or "unknown date")[:10]
    return "unknown date"


OECD_DATASET = "DSD_ICT_HH_IND@DF_IND"


def source_line(provenance: dict, datasets: list[str] | tuple[str, ...]) -> str:
    """'Source: Eurostat (online data code: x), retrieved <date>' (the OECD's dataflow named as the OECD's),
    plus the synthetic warning."""
    eurostat = [code for code in datasets if code != OECD_DATASET]
    sources = []
    if eurostat:
        parts = [f"{code}, retrieved {retrieval_date(provenance, code)}" for code in eurostat]
        sources.append("Eurostat (online data code: " + "; ".join(parts) + ")")
    if OECD_DATASET in datasets:
        sources.append(
            f"OECD, ICT Access and Usage by Individuals ({OECD_DATASET}, retrieved "
            f"{retrieval_date(provenance, OECD_DATASET)})"
        )
    line = "Source: " + "; ".join(sources)
    if is_synthetic(provenance):
        line += " - SYNTHETIC DATA, NOT EUROSTAT'S" + (" OR THE OECD'S" if OECD_DATASET in datasets else "")
    return line


def absent_codes_table(records: list[dict], labels: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The catalogue's codes a dataset did not carry, left out of the request: one row per code.

    A code is absent when the dataset's content constraint (live) or file (mirror) does not list
    it: a series that ended (Eurostat's labels say "until 2019") or never existed in that dataset.
    """
    rows = [
        {
            "dataset": r["dataset"],
            "dimension": dimension,
            "code": code,
            "label": labels.get(dimension, {}).get(code, ""),
            "why": "not carried by the dataset (its content constraint or file does not list it); left out of the request",
        }
        for r in records
        for dimension, codes in sorted(r.get("absent_codes", {}).items())
        for code in codes
    ]
    return pd.DataFrame(rows, columns=["dataset", "dimension", "code", "label", "why"])


DIMENSION_WORDS = {"indic_is": "indicator", "unit": "unit", "ind_type": "group of people", "hhtyp": "household type"}


def codes_table(catalogue) -> pd.DataFrame:
    """Every code the catalogue selects from Eurostat and the OECD, with its meaning: the pages name
    series in words, and this table (on the Data and methods page) gives the publishers' codes."""
    rows = []
    for spec in catalogue.datasets:
        for dimension, codes in spec.filters.items():
            column = spec.rename.get(dimension, dimension)
            if column not in DIMENSION_WORDS or (spec.source == "oecd" and column == "hhtyp"):
                continue  # freq: annual data only, said in the text; the OECD's other dimensions: totals only
            for code in codes:
                rows.append(
                    {
                        "dataset": f"{spec.code} ({spec.title})",
                        "what": DIMENSION_WORDS[column],
                        "code": code,
                        "meaning": catalogue.label(column, code),
                    }
                )
    return pd.DataFrame(rows, columns=["dataset", "what", "code", "meaning"])
