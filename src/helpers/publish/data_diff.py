"""What changed between the data the report was built from and a fresh fetch (or another mirror).

    python -m helpers.publish.data_diff [--mirror /path] [--output report/data-diff.md]

Fetches into a scratch folder (``data/raw`` is never touched), builds both tidy tables and
writes a readable summary: which series changed, the largest revisions, cells that appeared or
vanished, changed flags, and which claim verdicts and country rankings flip.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

from helpers.analysis.changes import ranking_flips, verdict_flips
from helpers.base.errors import ReportError
from helpers.store.refresh import fetch_all
from helpers.store.revisions import SERIES, cell_changes
from helpers.store.tidy import KEY, build_store

ROOT = Path(__file__).resolve().parents[3]


def _markdown(table: pd.DataFrame) -> str:
    if table.empty:
        return "_none_\n"
    header = "| " + " | ".join(map(str, table.columns)) + " |\n|" + "---|" * len(table.columns) + "\n"
    body = "".join(
        "| " + " | ".join("" if pd.isna(v) else (f"{v:.2f}" if isinstance(v, float) else str(v)) for v in row) + " |\n"
        for row in table.itertuples(index=False)
    )
    return header + body


def summarise(old: pd.DataFrame, new: pd.DataFrame, *, old_label: str, new_label: str) -> str:
    changes = cell_changes(old, new)
    by_series = (
        changes.groupby(SERIES).change.value_counts().unstack(fill_value=0).reset_index()
        if not changes.empty
        else pd.DataFrame(columns=SERIES)
    )
    largest = (
        changes[changes.change == "revised"]
        .reindex(changes[changes.change == "revised"].difference.abs().sort_values(ascending=False).index)
        .head(10)
    )
    flips, ranks = verdict_flips(old, new), ranking_flips(old, new)
    lines = [
        "# Data change report",
        "",
        f"Before: {old_label}  ",
        f"After: {new_label}",
        "",
        f"**{len(changes)} cell(s) changed in {len(by_series)} series; {len(flips)} verdict(s) flip; "
        f"{ranks.geo.nunique() if not ranks.empty else 0} country ranking(s) move.**",
        "",
        "## Series that changed",
        _markdown(by_series),
        "## Largest revisions",
        _markdown(largest[[*KEY, "value_old", "value_new", "difference"]]),
        "## Claim verdicts that flip",
        _markdown(flips),
        "## Rankings that move",
        _markdown(ranks),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare a fresh fetch (or another mirror) with the locked data.")
    parser.add_argument("--raw-dir", type=Path, default=ROOT / "data" / "raw", help="the data the report uses")
    parser.add_argument("--mirror", help="compare with this mirror instead of a live fetch")
    parser.add_argument("--output", type=Path, default=ROOT / "report" / "data-diff.md")
    args = parser.parse_args(argv)
    try:
        old, _ = build_store(args.raw_dir)
        with tempfile.TemporaryDirectory(prefix="data-diff-") as scratch:
            fetch_all(scratch, source="mirror" if args.mirror else "live", mirror=args.mirror, refresh=True)
            new, _ = build_store(scratch)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = summarise(
        old,
        new,
        old_label=f"{args.raw_dir} (the data the report uses)",
        new_label=f"mirror {args.mirror}" if args.mirror else "a fresh fetch from Eurostat",
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\n(written to {args.output})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
