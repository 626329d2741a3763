"""The build's contract: every value a user may set, read from the environment and the command line, checked once here
before anything runs (``make -n`` included), and trusted after that (docs/parameters.md).

    python3 -m helpers.pipeline.parameters make --goals "report" --set PAPER_YEAR 2012   (the Makefile)
    python3 -m helpers.pipeline.parameters list                                         (every setting)

Standard library only, and no argparse for make's call: it runs before ``.venv`` exists, once per make
(docs/performance.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from functools import partial

from helpers.base.atomic_files import write_text_atomic
from helpers.pipeline.build_lock import take_for
from helpers.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = ROOT / "notebooks"
SAFE = re.compile(r"[A-Za-z0-9_.,/+-]*")  # what a checked value may hold: nothing make or a shell reads
FIRST_SURVEY_YEAR = 2002  # Eurostat's survey on ICT usage by individuals


class Refused(ValueError):
    """A value the build does not accept; the message names the variable and what it takes."""


class Takes(Exception):
    """Raised by a check with what its setting takes; check_settings names the setting and the value."""


# ----------------------------------------------------------------------------- the checks: value -> checked value


def _year(value: str, *, zero: bool = False) -> str:
    this_year = time.localtime().tm_year
    if zero and value == "0":
        return value
    if not re.fullmatch(r"\d{4}", value) or not FIRST_SURVEY_YEAR <= int(value) <= this_year:
        latest = "0 (the latest year with data) or " if zero else ""
        raise Takes(f"{latest}a year from {FIRST_SURVEY_YEAR} to {this_year}, such as 2013")
    return value


def _one_of(options: list[str] | Callable[[], list[str]], takes: str = "one of") -> Callable[[str], str]:
    def check(value: str) -> str:
        choices = options() if callable(options) else options
        if value not in choices:
            raise Takes(f"{takes}: {', '.join(choices)}")
        return value

    return check


def _countries(value: str, *, one: bool = False, empty: bool = False) -> str:
    catalogue = load_catalogue()
    known = [g for g in catalogue.labels["geo"] if g not in catalogue.aggregates]
    codes = [c.strip().upper() for c in value.split(",")]
    if (value or not empty) and (not value or (one and len(codes) != 1) or any(c not in known for c in codes)):
        what = "a country code" if one else "country codes separated by commas"
        raise Takes(f"{what} (Greece is EL, the United Kingdom UK): {', '.join(sorted(known))}")
    return ",".join(codes) if value else value


def _count(value: str) -> str:
    if not re.fullmatch(r"[1-9]\d{0,2}", value):
        raise Takes("a whole number from 1 to 999, such as 2")
    return value


def _folder(value: str) -> str:
    """A folder the build writes to or deletes from: inside the clone, not the clone (nor empty: Path("."))."""
    if (
        not SAFE.fullmatch(value)
        or value.startswith(("/", "-"))
        or ".." in Path(value).parts
        or Path(value) == Path(".")
    ):
        raise Takes(
            "a folder inside the clone such as data (relative, not '.', without '..', "
            "made of letters, digits and _ . / - +)"
        )
    return str(Path(value))


def _program(value: str, *, empty: bool = False) -> str:
    if not value and empty:
        return value
    if not value or not SAFE.fullmatch(value) or value.startswith("-") or "," in value:
        none = "; empty for none" if empty else ""
        raise Takes(f"a program such as python3 or /usr/bin/python3 (letters, digits and _ . / - +){none}")
    return value


def _mirror(value: str) -> str:
    if value and not Path(value).is_dir():
        raise Takes("a folder of Eurostat TSV files (it does not exist), or nothing")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    meaning: str
    check: Callable[[str], str]
    default: str | Callable[[dict], str]  # with {NAME}: the value of a setting before it; or a function of them
    echoed: bool = True  # given back to make; the mirror (any path) never is: recipes read it from the environment


_unit = _one_of(lambda: [u for u in load_catalogue().labels["unit"] if u.startswith("PC_IND")], "a unit code")
_comparison = _one_of(lambda: [*load_catalogue().comparison_sets, "all"])
_indicator = _one_of(["I_IUPOL2", "I_IUPOL1", "I_IUVOTE", "I_IUCPP"], "an indicator code")
_optional_program = partial(_program, empty=True)


def _env_stamp(s: dict) -> str:
    return ".conda-kernel.stamp" if "PYTHON" in s["given"] else f"{s['VENV']}/.installed"


def _quarto(s: dict) -> str:
    return shutil.which("quarto") or shutil.which("quarto", path=str(ROOT / s["VENV"] / "bin")) or ""


SETTINGS = [
    Setting("EUROSTAT_MIRROR", "a folder of Eurostat TSV files to read instead of the API", _mirror, "", echoed=False),
    Setting("SOURCE", "where the data come from", _one_of(["auto", "live", "mirror"]), "auto"),
    Setting("PAPER_YEAR", "the paper's survey year", _year, "2013"),
    Setting("LATEST_YEAR", "the latest year compared (0: the latest with data)", partial(_year, zero=True), "0"),
    Setting("UNIT", "the unit of the charts", _unit, "PC_IND"),
    Setting("COMPARISON", "the countries ranked", _comparison, "paper"),
    Setting("YOUTH_INDICATOR", "the youth page's indicator", _indicator, "I_IUPOL2"),
    Setting("YOUTH_HIGHLIGHT", "the countries the youth page highlights", _countries, "NL,AT"),
    Setting("COUNTRY", "the country of `make country`", partial(_countries, one=True, empty=True), ""),
    Setting("JOBS", "processes running notebooks", _count, lambda s: str(min(os.cpu_count() or 1, 999))),
    Setting("LOCK_CHECK", "check the data lock after a build", _one_of(["0", "1"]), "1"),
    Setting("REPEAT", "repetitions of `make bench`", _count, "3"),
    Setting("DATA_DIR", "where data/raw and data/processed live", _folder, "data"),
    Setting("REPORT_DIR", "where the executed notebooks and the site go", _folder, "report"),
    Setting("VENV", "the virtual environment's folder", _folder, ".venv"),
    Setting("PYTHON_BOOTSTRAP", "the Python that creates the virtual environment", _program, "python3"),
    Setting("PYTHON", "the Python that runs the build (a conda environment's, say)", _program, "{VENV}/bin/python"),
    Setting("ENV_STAMP", "the file marking the environment ready (empty: none)", _optional_program, _env_stamp),
    Setting("QUARTO", "the quarto program (empty: the fallback renderer)", _optional_program, _quarto),
    # any text: pytest judges it, and recipes read it from the environment
    Setting("ARGS", "pytest's arguments for `make unit` and `make test`, such as -k claims -x", str, "", echoed=False),
]
BY_NAME = {s.name: s for s in SETTINGS}


def _refuse(name: str, value: str, takes: str) -> Refused:
    return Refused(f"{name}={value!r} is not accepted: {name} takes {takes}")


def check_settings(given: dict[str, str]) -> dict[str, str]:
    """Every setting checked (given values, else defaults), in order; the first refusal raises."""
    checked: dict[str, Any] = {"given": given}  # the settings so far, and what was given (for defaults)
    for s in SETTINGS:
        if s.name in given:
            value = given[s.name]
        else:
            value = s.default(checked) if callable(s.default) else s.default.format(**checked)
        try:
            checked[s.name] = s.check(value)
        except Takes as takes:
            raise _refuse(s.name, value, str(takes)) from None
    latest, paper = checked["LATEST_YEAR"], checked["PAPER_YEAR"]
    if latest != "0" and int(latest) < int(paper):
        why = f"0 or a year not before PAPER_YEAR ({paper}): the latest year is never before the paper's"
        raise _refuse("LATEST_YEAR", latest, why)
    checked.pop("given")
    return checked


# ----------------------------------------------------------------------------- the pages and their parameters

PAGE_NOTEBOOKS = {
    "index": "20_claims",
    "youth-civic": "10_youth_civic",
    "education-gaps": "11_education_gap",
    "senior-uptake": "12_senior_uptake",
    "other-figures": "13_other_figures",
    "countries": "31_countries",
    "data-and-methods": "40_data_and_methods",
    "cite": "50_cite",
}
COUNTRY_PAGE = "country"  # one notebook per country, 30_country_profile, all with these parameters
OECD_COUNTRY_PAGE = "oecd-country"  # the countries Eurostat does not survey: 32_oecd_country, on the OECD's data
NOTEBOOK_OF = {**PAGE_NOTEBOOKS, COUNTRY_PAGE: "30_country_profile", OECD_COUNTRY_PAGE: "32_oecd_country"}
CLAIM_PARAMETERS = ("paper_year", "latest_year", "comparison")  # the claims' verdicts depend on exactly these
VERDICTS = "verdicts"  # the parameter file of the verdicts step (.params/verdicts.json), beside the pages'
CHART_PARAMETERS = (*CLAIM_PARAMETERS, "unit")
PAGE_PARAMETERS = {
    "index": CLAIM_PARAMETERS,  # the scorecard's units are the registry's (the paper's words fix them), not UNIT
    "youth-civic": (*CHART_PARAMETERS, "indicator", "highlight"),
    "education-gaps": CHART_PARAMETERS,
    "senior-uptake": CHART_PARAMETERS,
    "other-figures": CHART_PARAMETERS,
    "countries": (),
    "data-and-methods": (),
    "cite": (),
    COUNTRY_PAGE: CHART_PARAMETERS,
    OECD_COUNTRY_PAGE: CLAIM_PARAMETERS,  # its figures are the OECD's own unit and bands: UNIT does not apply
}


def _from_notebooks(folder: Path) -> str:
    """A path as the notebooks (run in notebooks/) see it: relative, so that executed notebooks do not depend
    on where the clone lives."""
    return os.path.relpath(ROOT / folder, NOTEBOOKS)


def page_parameters(settings: dict[str, str]) -> dict[str, dict]:
    """What each page's notebook is run with: its notebook, its executed copy and its parameters."""
    values = {
        "paper_year": int(settings["PAPER_YEAR"]),
        "latest_year": int(settings["LATEST_YEAR"]),
        "comparison": settings["COMPARISON"],
        "unit": settings["UNIT"],
        "indicator": settings["YOUTH_INDICATOR"],
        "highlight": settings["YOUTH_HIGHLIGHT"],
    }
    report, processed = Path(settings["REPORT_DIR"]), Path(settings["DATA_DIR"]) / "processed"
    pages = {}
    for page, names in PAGE_PARAMETERS.items():
        country = page in (COUNTRY_PAGE, OECD_COUNTRY_PAGE)
        parameters = {name: values[name] for name in names}
        if set(CLAIM_PARAMETERS) <= set(names):  # a page that states verdicts reads the build's (analysis.verdicts)
            parameters["verdicts_file"] = _from_notebooks(report / "data" / "verdicts.json")
        if page == "cite":
            parameters["citation_file"] = _from_notebooks(Path("CITATION.cff"))
        else:
            parameters["processed_dir"] = _from_notebooks(processed)
            parameters["output_dir"] = _from_notebooks(report / "countries" if country else report)
        pages[page] = {
            "notebook": NOTEBOOK_OF[page],
            "output": str(report / "countries" / "{country}.ipynb") if country else str(report / f"{page}.ipynb"),
            "parameters": dict(sorted(parameters.items())),
        }
    # not a page: the verdicts every page reads (helpers.analysis.verdicts), made again when these change
    verdicts = {name: values[name] for name in CLAIM_PARAMETERS}
    pages[VERDICTS] = {"notebook": "", "output": str(report / "data" / "verdicts.json"), "parameters": verdicts}
    return pages


def params_file(report_dir: Path | str, page: str) -> Path:
    return ROOT / report_dir / ".params" / f"{page}.json"


def changed_pages(settings: dict[str, str], write: bool = False) -> list[str]:
    """The pages whose recorded parameters differ from these settings' (the text, not sets of words); with
    `write`, their files are written (only those: make compares their times)."""
    changed = []
    for page, record in page_parameters(settings).items():
        path, text = params_file(settings["REPORT_DIR"], page), json.dumps(record, indent=1, sort_keys=True) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(page)
            if write:
                write_text_atomic(path, text)
    return changed


def read_params(report_dir: Path | str, page: str) -> dict:
    """A page's recorded parameters (the queue runs each page with these)."""
    return json.loads(params_file(report_dir, page).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- what make calls

# goals that run notebooks with parameters: their parameter files are written (when changed) by the check
BUILDING_GOALS = {"data", "verdicts", "notebooks", "pages", "report", "site", "country", "briefs"}
# goals that write in the clone: one build at a time (helpers.pipeline.build_lock)
LOCKED_GOALS = BUILDING_GOALS | {"refresh", "lock", "data-diff", "clean", "release"}


def for_make(given: dict[str, str], command_line: list[str], goals: list[str], dry_run: bool, make_pid: int = 0) -> str:
    """The one line the Makefile reads: the checked settings as NAME=value words, or `error: ...`; for the goals
    that write, after taking the build lock for make's process (a second build is refused before any write)."""
    unknown = [name for name in command_line if name not in BY_NAME]
    if unknown:
        raise Refused(
            f"{unknown[0]} is not a setting of this build; the settings are {', '.join(BY_NAME)} (`make help`)"
        )
    for goal in goals:
        if not re.fullmatch(r"[a-z][a-z-]*", goal):
            raise Refused(f"the target {goal!r} is not accepted: make takes the targets listed by `make help`")
    settings = check_settings(given)
    if set(goals) & LOCKED_GOALS and not dry_run:
        busy = take_for(make_pid or os.getppid(), ROOT / ".build.lock")
        if busy:
            raise Refused(busy)
    changed = []
    if set(goals) & BUILDING_GOALS:
        recorded = params_file(settings["REPORT_DIR"], COUNTRY_PAGE)
        if set(goals) == {"country"} and recorded.exists() and COUNTRY_PAGE in changed_pages(settings):
            raise Refused(
                "make country would build the country with other parameters (PAPER_YEAR, LATEST_YEAR, UNIT, "
                "COMPARISON or folders) than the other country pages, and leave a mixed site; run `make report` "
                "with the new parameters to rebuild every page, or drop them from `make country`"
            )
        changed = changed_pages(settings, write=not dry_run)
    words = [f"{s.name}={settings[s.name]}" for s in SETTINGS if s.echoed]
    words.append(f"PARAMS_CHANGED={','.join(changed) if dry_run else ''}")  # what `make -n` shows as running
    return " ".join(words)


def _make_arguments(argv: list[str]) -> tuple[dict[str, str], list[str], str, str, int]:
    """make's call: --set NAME VALUE (repeated), --goals GOALS, --dry-run FLAG, --make-pid PID (read by hand:
    argparse alone costs more than the check); the command line's values over the environment's."""
    given = {name: os.environ[name] for name in BY_NAME if name in os.environ}
    command_line, options, rest = [], {"--goals": "", "--dry-run": "", "--make-pid": "0"}, list(argv)
    while rest:
        option = rest.pop(0)
        if option == "--set" and len(rest) >= 2:
            name, value = rest.pop(0), rest.pop(0)
            given[name] = value
            command_line.append(name)
        elif option in options and rest and (option != "--make-pid" or rest[0].isdigit()):
            options[option] = rest.pop(0)
        else:
            raise SystemExit(
                f"usage: python3 -m helpers.pipeline.parameters make [--set NAME VALUE]... [--goals GOALS] "
                f"[--dry-run FLAG] [--make-pid PID]: not understood: {option}"
            )
    return given, command_line, options["--goals"], options["--dry-run"], int(options["--make-pid"])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["list"]:  # every setting and what it means (make help)
        for s in SETTINGS:
            print(f"{s.name:17} {s.meaning}")
        return 0
    if argv[:1] != ["make"]:
        raise SystemExit(
            "usage: python3 -m helpers.pipeline.parameters list | make [--set NAME VALUE]... [--goals ...]"
        )
    given, command_line, goals, dry_run, make_pid = _make_arguments(argv[1:])
    try:
        print(for_make(given, command_line, goals.split(), bool(dry_run), make_pid), flush=True)
    except Refused as exc:
        print(f"error: {exc}")
    except OSError as exc:
        print(f"error: the parameter files could not be written: {exc.strerror}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
