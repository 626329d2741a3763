"""Generate a SYNTHETIC mirror of the catalogue's datasets, in Eurostat's API TSV layout (and the
OECD's dataflow in its SDMX-CSV with labels).

    python -m helpers.acquire.synthetic_mirror demo/mirror

For `make demo` and tests: the whole pipeline can run offline on it. The values are invented
(deterministically, from a seed), shaped only to look plausible: countries differ, young and
highly educated people use the internet more, values grow over the years. The mirror's
`MIRROR.json` declares it synthetic, so the provenance and every page of a report built from it
say so through the normal path.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from helpers.catalogue import Catalogue, load_catalogue

YEARS = tuple(range(2011, 2026))


SEED = 2014


# a fixed timestamp for the files, so that a regenerated mirror is byte- and date-identical
STAMP = "2026-01-15T11:00:00+0100"


STAMP_EPOCH = 1768471200


# dimension order per dataset, differing on purpose as in real Eurostat files
DIMENSION_ORDER = {
    "isoc_ci_ac_i": ("freq", "indic_is", "unit", "ind_type", "geo"),
    "isoc_ci_ifp_iu": ("freq", "ind_type", "indic_is", "unit", "geo"),
    "isoc_ciegi_ac": ("freq", "unit", "ind_type", "indic_is", "geo"),
    "isoc_ci_in_h": ("freq", "hhtyp", "indic_is", "unit", "geo"),
}


# typical level of each indicator (share of all individuals, 2011) and yearly growth in points
INDICATOR_LEVEL = {
    "I_IUSNET": (38, 2.2),
    "I_IUPOL1": (9, 0.3),
    "I_IUPOL2": (10, 0.3),
    "I_IUVOTE": (8, 0.3),
    "I_IUCPP": (12, 0.5),
    "I_IHIF": (42, 1.6),
    "I_IUJOB": (15, 0.4),
    "I_IU3": (70, 1.6),
    "I_ILT12": (73, 1.5),
    "I_IUGOV12": (41, 1.6),
    "I_IUPOL": (9, 0.3),
    "H_IACC": (72, 1.6),
}


GROUP_SHIFT = {
    "IND_TOTAL": 0,
    "Y16_24": 22,
    "Y25_54": 8,
    "Y55_74": -18,
    "Y65_74": -26,
    "I0_2": -17,
    "I3_4": 0,
    "I5_8": 17,
    "UNE": 4,
    "TOTAL": 0,
}


# indicators asked only in some survey years (as in Eurostat's survey)
ASKED = {
    "I_IUPOL": range(2011, 2013),
    "I_IUPOL1": range(2011, 2020),
    "I_IUPOL2": range(2013, 2026, 2),
    "I_IUVOTE": range(2011, 2026, 2),
    "I_IUCPP": range(2015, 2026, 2),
}


LATE_STARTERS = {"CH": 2014, "RS": 2014, "MK": 2015, "ME": 2016, "AL": 2018, "BA": 2018, "XK": 2018}


LAST_UK_YEAR = 2019


def _cell(rng: np.random.Generator, value: float | None, year: int) -> str:
    if value is None:
        return ":"
    flags = ""
    draw = rng.random()
    if draw < 0.03:
        flags += "u"
    elif draw < 0.05:
        flags += "b"
    if year == YEARS[-1] and rng.random() < 0.3:
        flags += "p"
    if rng.random() < 0.01:
        return ": c"
    return f"{value:.2f} {flags}".rstrip() + ("" if flags else " ")


def dataset_tsv(code: str, catalogue: Catalogue, seed: int = SEED) -> bytes:
    """One dataset as Eurostat's API sends it: gzip, CRLF, `geo\\TIME_PERIOD` header."""
    spec = catalogue.dataset(code)
    rng = np.random.default_rng([seed, sum(code.encode())])
    geos = sorted(catalogue.labels["geo"])
    country_level = {geo: rng.normal(0, 9) for geo in geos}
    order = DIMENSION_ORDER[code]
    header = ",".join(order) + "\\TIME_PERIOD\t" + "\t".join(f"{y} " for y in YEARS)
    lines = [header]
    group_dimension = "hhtyp" if "hhtyp" in spec.filters else "ind_type"  # households: a household type
    combos = [
        {"freq": "A", "indic_is": indic, "unit": unit, group_dimension: group, "geo": geo}
        for indic in spec.filters["indic_is"]
        for unit in spec.filters["unit"]
        for group in spec.filters[group_dimension]
        for geo in geos
    ]
    for key in sorted(combos, key=lambda k: tuple(k[d] for d in order)):
        level, growth = INDICATOR_LEVEL[key["indic_is"]]
        base = level + GROUP_SHIFT[key[group_dimension]] * (level / 50) + country_level[key["geo"]]
        if key["unit"] == "PC_IND_IU3":
            base = base * 1.12
        cells = []
        for i, year in enumerate(YEARS):
            missing = (
                year not in ASKED.get(key["indic_is"], YEARS)
                or year < LATE_STARTERS.get(key["geo"], 0)
                or (key["geo"] == "UK" and year > LAST_UK_YEAR)
                or (key["geo"] == "EU28" and year > LAST_UK_YEAR)
                or (key["geo"] == "EU27_2020" and year < 2015)
                or (key["geo"] == "EU27_2007" and year > 2013)
            )
            value = None if missing else float(np.clip(base + growth * i + rng.normal(0, 1.5), 0.5, 99.5))
            cells.append(_cell(rng, value, year))
        lines.append(",".join(key[d] for d in order) + "\t" + "\t".join(cells))
    text = "\r\n".join(lines) + "\r\n"
    return gzip.compress(text.encode("utf-8"), mtime=0)


# The OECD's SDMX-CSV with labels: the columns of a real answer (../shared/oecd-api-samples), in order;
# each dimension and attribute id is followed by its label column.
OECD_COLUMNS = (
    ("STRUCTURE", None),
    ("STRUCTURE_ID", None),
    ("STRUCTURE_NAME", None),
    ("ACTION", None),
    ("REF_AREA", "Reference area"),
    ("FREQ", "Frequency of observation"),
    ("MEASURE", "Measure"),
    ("UNIT_MEASURE", "Unit of measure"),
    ("GEO_AREA", "Geographical area"),
    ("AGE", "Age"),
    ("SEX", "Sex"),
    ("EDUCATION_LEVEL", "Education level"),
    ("INCOME_GROUP", "Income group"),
    ("EMP_STATUS", "Employment status"),
    ("TIME_PERIOD", "Time period"),
    ("OBS_VALUE", "Observation value"),
    ("OBS_STATUS", "Observation status"),
    ("OBS_STATUS_2", "Observation status 2"),
    ("OBS_STATUS_3", "Observation status 3"),
    ("UNIT_MULT", "Unit multiplier"),
    ("TIME_HORIZON_USE", "Time horizon"),
    ("DECIMALS", "Decimals"),
    ("BREAKDOWN_V7_HH", "V7 Breakdowns households"),
)


OECD_LEVEL = {"KOR": 6, "JPN": -4, "USA": 10}  # invented country levels
OECD_FIRST_YEAR = {"KOR": 2011, "JPN": 2012, "USA": 2015}
OECD_AGE_SHIFT = {"Y16T74": 0, "Y16T24": 25, "Y55T74": -20, "Y_GE75": -32}


def oecd_csv(catalogue: Catalogue, seed: int = SEED) -> bytes:
    """The OECD dataflow's rows as its API sends them (SDMX-CSV with labels, LF): invented values,
    with the OECD's flag 'D' (definition differs) before 2016 as in the real answers' pattern."""
    spec = next(s for s in catalogue.datasets if s.source == "oecd")
    rng = np.random.default_rng([seed, sum(spec.code.encode())])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for column, label in OECD_COLUMNS for name in (column, label) if name])
    structure = ["DATAFLOW", f"{spec.agency}:{spec.code}({spec.version})", spec.title, "I"]
    for geo in spec.filters["ref_area"]:
        for measure in spec.filters["measure"]:
            level, growth = INDICATOR_LEVEL["I_IUSNET" if measure == "D1B_I" else "I_IU3"]
            for age in spec.filters["age"]:
                for year in range(OECD_FIRST_YEAR[geo], YEARS[-1]):
                    value = float(
                        np.clip(
                            level
                            + OECD_LEVEL[geo]
                            + OECD_AGE_SHIFT[age] * (level / 50)
                            + growth * (year - YEARS[0])
                            + rng.normal(0, 1.5),
                            0.5,
                            99.5,
                        )
                    )
                    status = "D" if year < 2016 else "A"
                    codes = {
                        "REF_AREA": geo,
                        "FREQ": "A",
                        "MEASURE": measure,
                        "UNIT_MEASURE": "PT_POP",
                        "GEO_AREA": "_Z",
                        "AGE": age,
                        "SEX": "_T",
                        "EDUCATION_LEVEL": "_T",
                        "INCOME_GROUP": "_T",
                        "EMP_STATUS": "_T",
                        "TIME_PERIOD": str(year),
                        "OBS_VALUE": f"{value:.2f}",
                        "OBS_STATUS": status,
                        "UNIT_MULT": "0",
                        "DECIMALS": "2",
                    }
                    labels = {
                        "REF_AREA": catalogue.label("geo", geo),
                        "MEASURE": catalogue.label("indic_is", measure),
                        "AGE": catalogue.label("ind_type", age),
                        "OBS_STATUS": "Definition differs" if status == "D" else "Normal value",
                        "UNIT_MULT": "Units",
                        "DECIMALS": "Two",
                    }
                    row = list(structure)
                    for column, label in OECD_COLUMNS[4:]:
                        row.append(codes.get(column, ""))
                        if label:
                            row.append(labels.get(column, "Total" if codes.get(column) == "_T" else ""))
                    writer.writerow(row)
    return out.getvalue().encode("utf-8")


def write_mirror(folder: str | Path, seed: int = SEED) -> Path:
    """Write every catalogue dataset and a MIRROR.json declaring the mirror synthetic."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue()
    datasets: dict[str, dict] = {}
    manifest = {
        "synthetic": True,
        "label": "synthetic mirror generated by helpers.synthetic_mirror (make demo)",
        "seed": seed,
        "warning": "Invented values in Eurostat's API TSV layout. Not Eurostat data; never publish as such.",
        "datasets": datasets,
    }
    for spec in catalogue.datasets:
        oecd = spec.source == "oecd"
        payload = oecd_csv(catalogue, seed) if oecd else dataset_tsv(spec.code, catalogue, seed)
        path = folder / (f"{spec.code}.csv" if oecd else f"{spec.code}.tsv.gz")
        if not path.exists() or path.read_bytes() != payload:
            path.write_bytes(payload)
        os.utime(path, (STAMP_EPOCH, STAMP_EPOCH))
        datasets[spec.code] = {
            "title": spec.title,
            "dimensions": [*(spec.key_order if oecd else DIMENSION_ORDER[spec.code]), "time"],
            "file": path.name,
            "rows": payload.count(b"\n") - 1 if oecd else gzip.decompress(payload).count(b"\r\n") - 1,
            "last_update": STAMP,
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
    text = json.dumps(manifest, indent=2) + "\n"
    manifest_path = folder / "MIRROR.json"
    if not manifest_path.exists() or manifest_path.read_text() != text:
        manifest_path.write_text(text)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a SYNTHETIC Eurostat mirror (invented values).")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    write_mirror(args.folder, args.seed)
    print(f"synthetic mirror (invented values, not Eurostat's) in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
