"""`make release`: one archive of a built report, the data it was built from, their lock and its citation.

    python -m helpers.pipeline.release --report-dir report --data-dir data --dist dist

What the archive holds, how the same build makes the same bytes and when a release is refused (one line a reason):
docs/building.md, "The release archive"."""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import yaml

from helpers.base.atomic_files import atomic_write
from helpers.base.errors import ReportError
from helpers.catalogue import load_catalogue
from helpers.publish.citation import citation_markdown
from helpers.publish.provenance import how_received, is_synthetic
from helpers.store.data_lock import LOCK_NAME, differences, lock_path, lock_text
from helpers.store.tidy import load_provenance

NAME = "oecd-social-media"  # the project's name, as its conda environment and Jupyter kernel are named
# cffconvert pins jsonschema<4, which Jupyter's packages cannot share: uv runs it in an environment of its own
CFFCONVERT = "cffconvert==2.0.0"
SUMS_NAME = "SHA256SUMS"
SITE_STAMPS = ".built-*"  # touched by make when the site is rendered (.built-quarto or .built-fallback)


class ReleaseRefused(ReportError):
    """A release that cannot name one commit and one build: one line per reason."""


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise ReleaseRefused(f"git {' '.join(args)} failed in {root}: {result.stderr.strip() or 'not a git checkout'}")
    return result.stdout


def refusals(root: Path, report_dir: Path, data_dir: Path) -> list[str]:
    """Why no release can be made from this checkout and build now (empty when one can)."""
    reasons = []
    status = git(root, "status", "--porcelain", "--untracked-files=no")
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        reasons.append(f"uncommitted changes to tracked files ({shown}): a release names one commit; commit them first")
    if lock_path(data_dir).exists() and differences(data_dir / "raw", lock_path(data_dir)):
        reasons.append(
            f"the data in {data_dir / 'raw'} differ from their lock ({lock_path(data_dir)}): a release carries "
            "the lock of its data; `make lock` records them (commit the lock)"
        )
    site = report_dir / "_site"
    stamps = [stamp.stat().st_mtime for stamp in site.glob(SITE_STAMPS)]
    if not stamps:
        return reasons + [f"no built site in {site}: run `make report` first"]
    from helpers.pipeline.prerequisites import prerequisites

    # the code the pages, the site and the article are made by (read from the imports, as make reads it),
    # and what else the site is rendered from: a site older than any of it is not this commit's
    code = {root / name for files in prerequisites().values() for name in files}
    inputs = {
        "data": [p for d in ("raw", "processed") for p in (data_dir / d).glob("*") if not p.name.startswith(".")],
        "notebooks": [p for d in (root / "notebooks", report_dir, report_dir / "countries") for p in d.glob("*.ipynb")],
        "code": code | {root / "CITATION.cff", report_dir / "_quarto.yml", report_dir / "styles.css"},
    }
    for what, files in inputs.items():
        newer = sorted(p for p in files if p.is_file() and p.stat().st_mtime > max(stamps))
        if newer:
            more = f" and {len(newer) - 1} more" if len(newer) > 1 else ""
            newest = _relative(max(newer, key=os.path.getmtime), root)
            reasons.append(f"the site ({site}) is older than its {what} ({newest}{more}): run `make report` first")
    return reasons


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def release_moment(root: Path) -> int:
    """The release's time in seconds: SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else the
    commit's, so that the same commit and build give the same archive on any day."""
    given = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if given and not given.isdigit():
        raise ReleaseRefused(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {given!r}")
    return int(given or git(root, "log", "-1", "--format=%ct"))


def filled_citation(text: str, *, date: str, commit: str) -> str:
    """CITATION.cff with the release date and the commit filled in (its other lines as written)."""
    for key, value in (("date-released", date), ("commit", f'"{commit}"')):
        line = f"{key}: {value}"
        text, found = re.subn(rf"^{key}:.*$", line, text, count=1, flags=re.MULTILINE)
        if not found:  # after the version, where a reader looks for it
            text, found = re.subn(r"^(version:.*)$", rf"\1\n{line}", text, count=1, flags=re.MULTILINE)
            if not found:
                text = text.rstrip("\n") + f"\n{line}\n"
    cff = yaml.safe_load(text)
    assert str(cff["date-released"]) == date and cff["commit"] == commit, "CITATION.cff could not be filled in"
    return text


def zenodo_json(cff_text: str, workdir: Path) -> bytes:
    """``.zenodo.json`` from CITATION.cff, converted by cffconvert in an environment of its own."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not uv:
        raise ReleaseRefused(
            f"make release needs uv to run {CFFCONVERT} in an environment of its own "
            "(`make env` installs it in .venv; or `pip install uv`)"
        )
    source = workdir / "CITATION.cff"
    source.write_text(cff_text, encoding="utf-8")
    command = [uv, "tool", "run", "--quiet", "--from", CFFCONVERT, "cffconvert", "-f", "zenodo", "-i", str(source)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise ReleaseRefused(f"cffconvert could not convert CITATION.cff to .zenodo.json: {last}")
    return (json.dumps(json.loads(result.stdout), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def mirror_manifest(cff: dict, *, commit: str, synthetic: bool) -> bytes:
    """data/MIRROR.json: the release, named for the provenance of a build rebuilt from it."""
    manifest = {
        "label": f"release {cff['version']} of the report's data",
        "release": {"version": str(cff["version"]), "commit": commit, "date": str(cff["date-released"])},
        "synthetic": synthetic,
    }
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def readme(
    cff: dict, cff_text: str, *, folder: str, commit: str, records: list[dict], synthetic: bool, pdf: bool
) -> bytes:
    """The archive's README.md: what it is, the commit, how to check, rebuild and cite it."""
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "CITATION.cff").write_text(cff_text, encoding="utf-8")
        cite = citation_markdown(Path(scratch) / "CITATION.cff")
    cite = "\n".join(f"#{line}\n" if line.startswith("## ") else line for line in cite.splitlines())  # under "Cite it"
    warning = (
        "\n**SYNTHETIC DATA.** The data of this release were invented for testing and are NOT Eurostat's or the "
        "OECD's: do not quote or publish its numbers.\n"
        if synthetic
        else ""
    )
    sources = "".join(f"- `{r['dataset']}`: {how_received(r)}.\n" for r in records)
    version = cff["version"]
    return f"""# {cff['title']}, version {version}
{warning}
Release {version} of the report, dated {cff['date-released']}, made from commit `{commit}` of \
{cff.get("repository-code") or "the project's repository"}: the built report, the data it was built from exactly \
as received, their lock and the citation.

## What it holds

- `site/`: the report as built; open `site/index.html`{" (the PDF article: `site/article.pdf`)" if pdf else ""}.
- `data/`: every file as received, each with its provenance record (`<dataset>.provenance.json`: source, address, \
retrieval time, the publisher's last update, sha256), the data lock of these data (`data/{LOCK_NAME}`) and \
`data/MIRROR.json`, which names this release.
- `CITATION.cff` (this version, its date and commit) and `.zenodo.json`, converted from it by cffconvert.
- `{SUMS_NAME}`: the sha256 of every other file.

## Where the data came from

{sources}
## Check it

```sh
cd {folder}
sha256sum -c {SUMS_NAME}          # macOS: shasum -a 256 -c {SUMS_NAME}
```

## Rebuild it

In a clone of the repository at the release's commit, build the report from the release's data:

```sh
git checkout {commit}
make report EUROSTAT_MIRROR=/path/to/{folder}/data
```

The build reads the files exactly as received and keeps their provenance: the Data and methods page gives the \
original retrieval and says "rebuilt from release {version}"; the CSVs are those of `site/`. Where the clone has no \
data lock of its own, the release's (`data/eurostat.lock`) becomes the build's, and `make report` checks the data \
against it.

## Cite it

{cite}
""".encode()


def _bytes(content: bytes | Path) -> bytes:
    return content if isinstance(content, bytes) else content.read_bytes()


def sha256sums(files: dict[str, bytes | Path]) -> bytes:
    """The ``sha256sum`` format: '<hex>  <name>' per file, sorted by name."""
    return "".join(f"{hashlib.sha256(_bytes(files[name])).hexdigest()}  {name}\n" for name in sorted(files)).encode()


def write_archive(path: Path, folder: str, files: dict[str, bytes | Path], mtime: int) -> Path:
    """A tar.gz of `files` (name -> bytes or a file to read) under `folder`/, the same bytes for the same files
    (every folder listed; tarfile's defaults but the time and the folders' mode)."""
    members: dict[str, bytes | Path | None] = {folder: None, **{f"{folder}/{n}": c for n, c in files.items()}}
    for name in list(members):
        members.update((str(parent), None) for parent in PurePosixPath(name).parents[:-1])

    def write(temporary: str) -> None:
        with (
            open(temporary, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as zipped,
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for name in sorted(members):
                content = members[name]
                info, data = tarfile.TarInfo(name), b"" if content is None else _bytes(content)
                info.size, info.mtime = len(data), mtime
                if members[name] is None:
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info, io.BytesIO(data))

    return atomic_write(path, write)


def release_name(version: str, *, synthetic: bool) -> str:
    """The archive's folder (and file) name, ending in `-synthetic` when any of its data is synthetic, so that
    nobody cites invented numbers by mistake."""
    return f"{NAME}-{version}" + ("-synthetic" if synthetic else "")


def make_release(root: Path, report_dir: Path, data_dir: Path, dist_dir: Path) -> Path:
    """Check, gather and write the release's archive; return its path."""
    root = Path(root)
    report_dir, data_dir, raw = root / report_dir, root / data_dir, root / data_dir / "raw"  # absolute ones stay
    reasons = refusals(root, report_dir, data_dir)
    if reasons:
        raise ReleaseRefused("\n".join(f"make release: {reason}" for reason in reasons))
    commit, moment = git(root, "rev-parse", "HEAD").strip(), release_moment(root)
    date = dt.datetime.fromtimestamp(moment, dt.timezone.utc).date().isoformat()
    cff_text = filled_citation((root / "CITATION.cff").read_text(encoding="utf-8"), date=date, commit=commit)
    cff = yaml.safe_load(cff_text)
    synthetic = is_synthetic(load_provenance(data_dir / "processed"))  # the banner's rule: any dataset synthetic
    folder = release_name(cff["version"], synthetic=synthetic)
    site = report_dir / "_site"
    files: dict[str, bytes | Path] = {
        f"site/{p.relative_to(site).as_posix()}": p
        for p in sorted(site.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(site).parts)  # the build's markers
    }
    records = []  # each catalogue dataset's provenance record and its file as received (the OECD's ledger is not data)
    for spec in load_catalogue().datasets:
        record = raw / f"{spec.code}.provenance.json"
        if not record.exists():
            raise ReleaseRefused(f"{raw} has no {spec.code}: run `make report` first")
        files[f"data/{record.name}"] = record
        records.append(json.loads(record.read_text(encoding="utf-8")))
        if records[-1].get("file"):  # none where the source had no data for the report (recorded, with the reason)
            files[f"data/{records[-1]['file']}"] = raw / records[-1]["file"]
    files[f"data/{LOCK_NAME}"] = lock_text(raw).encode()
    files["data/MIRROR.json"] = mirror_manifest(cff, commit=commit, synthetic=synthetic)
    files["CITATION.cff"] = cff_text.encode()
    with tempfile.TemporaryDirectory() as scratch:
        files[".zenodo.json"] = zenodo_json(cff_text, Path(scratch))
    pdf = "site/article.pdf" in files
    files["README.md"] = readme(
        cff, cff_text, folder=folder, commit=commit, records=records, synthetic=synthetic, pdf=pdf
    )
    files[SUMS_NAME] = sha256sums(files)
    return write_archive(Path(dist_dir) / f"{folder}.tar.gz", folder, files, moment)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the release archive of the built report.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the checkout (default: here)")
    parser.add_argument("--report-dir", type=Path, default=Path("report"))
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--dist", type=Path, default=Path("dist"))
    args = parser.parse_args(argv)
    try:
        path = make_release(args.root, args.report_dir, args.data_dir, args.dist)
    except ReportError as exc:
        print(str(exc) if str(exc).startswith("make release:") else f"make release: {exc}", file=sys.stderr)
        return 1
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    print(f"release: {_relative(path, args.root)} ({path.stat().st_size // 1024} KiB; sha256 {digest}...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
