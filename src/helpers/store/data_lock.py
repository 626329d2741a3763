"""The data lock: what was fetched, per dataset, recorded in a small committed file.

Eurostat keeps no history: a revision silently replaces the old numbers. The lock
(``data/eurostat.lock``, JSON) records, per dataset, the source, filters, Eurostat's last
update, row count and sha256 of what was fetched, so a build on other data is noticed.

    python -m helpers.store.data_lock check   # warn when data/raw differs from the lock
    python -m helpers.store.data_lock write   # record data/raw as the lock (make lock)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


LOCK_PATH = ROOT / "data" / "eurostat.lock"


LOCKED_FIELDS = ("source", "synthetic", "filters", "last_update", "rows", "series", "sha256")


def current(raw_dir: Path) -> dict:
    """The lock entries for what is in `raw_dir` now."""
    entries = {}
    for record_path in sorted(Path(raw_dir).glob("*.provenance.json")):
        record = json.loads(record_path.read_text(encoding="utf-8"))
        entries[record["dataset"]] = {field: record.get(field) for field in LOCKED_FIELDS}
    return entries


def write_lock(raw_dir: Path, lock_path: Path = LOCK_PATH) -> dict:
    entries = current(raw_dir)
    if not entries:
        raise SystemExit(f"error: {raw_dir} holds no fetched data; run `make data` first")
    lock = {"comment": "What the report was built from; `make lock` updates it. See README, Reviewing a change.",
            "datasets": entries}
    lock_path.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return lock


def differences(raw_dir: Path, lock_path: Path = LOCK_PATH) -> list[str]:
    """One line per difference between `raw_dir` and the lock (empty when they agree)."""
    if not lock_path.exists():
        return [f"no lock file at {lock_path.name}: run `make lock` to record the data this report is built from"]
    locked = json.loads(lock_path.read_text(encoding="utf-8"))["datasets"]
    now = current(raw_dir)
    lines = []
    for dataset in sorted(set(locked) | set(now)):
        if dataset not in now:
            lines.append(f"{dataset}: in the lock, not fetched")
        elif dataset not in locked:
            lines.append(f"{dataset}: fetched, not in the lock")
        else:
            changed = [f for f in LOCKED_FIELDS if locked[dataset].get(f) != now[dataset].get(f)]
            if changed:
                detail = ", ".join(f"{f} {locked[dataset].get(f)!r} -> {now[dataset].get(f)!r}"
                                   for f in changed if f not in ("sha256", "filters"))
                lines.append(f"{dataset}: differs from the lock in {', '.join(changed)}" + (f" ({detail})" if detail else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check or write the data lock.")
    parser.add_argument("command", choices=["check", "write"])
    parser.add_argument("--raw-dir", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--lock", type=Path, default=LOCK_PATH)
    args = parser.parse_args(argv)
    if args.command == "write":
        write_lock(args.raw_dir, args.lock)
        print(f"locked the data in {args.raw_dir} into {args.lock.name}")
        return 0
    found = differences(args.raw_dir, args.lock)
    if found:
        print("WARNING: the data this report was built from differs from the lock (data/eurostat.lock):", file=sys.stderr)
        for line in found:
            print(f"  - {line}", file=sys.stderr)
        print("  `make data-diff` shows what changed; `make lock` records the new data deliberately.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
