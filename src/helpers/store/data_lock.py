"""The data lock: what was fetched, per dataset, recorded in a small file beside the data.

Eurostat keeps no history: a revision silently replaces the old numbers. The lock
(``<DATA_DIR>/eurostat.lock``, JSON: ``data/eurostat.lock`` for the default folder) records, per dataset,
the source, filters, Eurostat's last update, row count and sha256 of what was fetched, so that a build on
other data is noticed. The lock belongs to the data it describes: a clone holds none until its user
records one (``make lock``); a release carries the lock of its data, and a build rebuilt from a release
takes that lock as its own when it has none.

    python -m helpers.store.data_lock check --data-dir data   # warn when data/raw differs from data/eurostat.lock
    python -m helpers.store.data_lock write --data-dir data   # record data/raw as data/eurostat.lock (make lock)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

LOCK_NAME = "eurostat.lock"
# where the check remembers that it has said "no lock yet" for these data (said once, not on every build)
NOTED_NAME = ".lock-noted"

LOCKED_FIELDS = ("source", "synthetic", "filters", "last_update", "rows", "series", "sha256")


def lock_path(data_dir: Path) -> Path:
    """The lock of the data in `data_dir` (``<data_dir>/eurostat.lock``)."""
    return Path(data_dir) / LOCK_NAME


def current(raw_dir: Path) -> dict:
    """The lock entries for what is in `raw_dir` now."""
    entries = {}
    for record_path in sorted(Path(raw_dir).glob("*.provenance.json")):
        record = json.loads(record_path.read_text(encoding="utf-8"))
        entries[record["dataset"]] = {field: record.get(field) for field in LOCKED_FIELDS}
    return entries


def lock_text(raw_dir: Path) -> str:
    """The lock of the data in `raw_dir`, as the file holds it (the same bytes for the same data)."""
    entries = current(raw_dir)
    if not entries:
        raise SystemExit(f"error: {raw_dir} holds no fetched data; run `make data` first")
    lock = {
        "comment": "What the report was built from; `make lock` updates it. See docs/reviewing.md, the data lock.",
        "datasets": entries,
    }
    return json.dumps(lock, indent=2, sort_keys=True) + "\n"


def write_lock(raw_dir: Path, path: Path) -> dict:
    """Record the data in `raw_dir` as the lock at `path`."""
    text = lock_text(raw_dir)
    path.write_text(text, encoding="utf-8")
    return json.loads(text)


def differences(raw_dir: Path, path: Path) -> list[str]:
    """One line per difference between `raw_dir` and the lock at `path` (empty when they agree)."""
    if not path.exists():
        return [f"no lock file at {path}: run `make lock` to record the data this report is built from"]
    locked = json.loads(path.read_text(encoding="utf-8"))["datasets"]
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
                detail = ", ".join(
                    f"{f} {locked[dataset].get(f)!r} -> {now[dataset].get(f)!r}"
                    for f in changed
                    if f not in ("sha256", "filters")
                )
                lines.append(
                    f"{dataset}: differs from the lock in {', '.join(changed)}" + (f" ({detail})" if detail else "")
                )
    return lines


def release_of(raw_dir: Path) -> tuple[str, Path] | None:
    """(version, folder) of the release the data in `raw_dir` were rebuilt from, when every dataset was
    (helpers.acquire.mirror keeps a release's provenance records and says so in ``rebuilt_from``)."""
    origins = set()
    for record_path in sorted(Path(raw_dir).glob("*.provenance.json")):
        rebuilt = json.loads(record_path.read_text(encoding="utf-8")).get("rebuilt_from") or {}
        origins.add((rebuilt.get("release") or "", rebuilt.get("folder") or ""))
    if len(origins) != 1:
        return None
    version, folder = origins.pop()
    return (version, Path(folder)) if folder else None


def lock_command(data_dir: Path) -> str:
    """`make lock`, with the data folder when it is not the default one."""
    return "make lock" if Path(data_dir) == Path("data") else f"make lock DATA_DIR={data_dir}"


def check(data_dir: Path, out=sys.stderr) -> list[str]:
    """What `make report` says about the data in `<data_dir>/raw` and their lock; returns the differences.

    - the data differ from the lock: a WARNING naming each dataset that differs;
    - no lock, the data rebuilt from a release that carries one: that lock becomes the data's own;
    - no lock otherwise: one note saying how to record one, once for the same data (never a warning:
      a first build has nothing to differ from).
    """
    data_dir = Path(data_dir)
    raw_dir, path = data_dir / "raw", lock_path(data_dir)
    now = current(raw_dir)
    if not now:
        return []
    if not path.exists():
        release = release_of(raw_dir)
        if release and lock_path(release[1]).exists():
            shutil.copyfile(lock_path(release[1]), path)
            name = f"release {release[0]}" if release[0] else str(release[1])
            print(f"note: the data were rebuilt from {name}; its data lock is now {path}", file=out)
        else:
            _note_once(data_dir, now, out)
            return []
    found = differences(raw_dir, path)
    if found:
        print(f"WARNING: the data this report was built from differs from the lock ({path}):", file=out)
        for line in found:
            print(f"  - {line}", file=out)
        print(
            f"  `make data-diff` shows what changed; `{lock_command(data_dir)}` records the new data deliberately.",
            file=out,
        )
    return found


def _note_once(data_dir: Path, entries: dict, out) -> None:
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()
    marker = data_dir / "processed" / NOTED_NAME
    if marker.exists() and marker.read_text(encoding="utf-8").strip() == digest:
        return
    print(
        f"note: these data have no lock yet: `{lock_command(data_dir)}` records them in {lock_path(data_dir)}, "
        "so that a later build on other data is noticed (docs/reviewing.md)",
        file=out,
    )
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(digest + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check or write the data lock of a data folder.")
    parser.add_argument("command", choices=["check", "write"])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        help="the data folder (DATA_DIR): its raw/ is locked in its eurostat.lock",
    )
    args = parser.parse_args(argv)
    if args.command == "write":
        path = lock_path(args.data_dir)
        write_lock(args.data_dir / "raw", path)
        print(f"locked the data in {args.data_dir / 'raw'} into {path}")
        return 0
    check(args.data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
