"""The site commands make calls: render (Quarto or the fallback), one country, the banner, the baseline.

python -m helpers.pipeline.site render --report-dir report [--quarto quarto] [--only page.ipynb ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from helpers.base.atomic_files import replace_folder
from helpers.base.errors import DISK_FULL, disk_full
from helpers.pipeline.previous import keep_previous
from helpers.render.brief import publish_briefs
from helpers.render.fallback_renderer import FALLBACK_NAME, build_fallback_site
from helpers.render.quarto_renderer import render_with_quarto, write_banner_include
from helpers.render.site_config import REPORT_DIR

ROOT = Path(__file__).resolve().parents[3]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The report's site: fallback renderer and helpers for make.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build <report-dir>/_site with nbconvert (when Quarto is absent)")
    build.add_argument("--only", nargs="*", help="notebooks (relative to the report folder) to render; default all")
    banner = sub.add_parser("banner", help="write <report-dir>/banner.html for Quarto")
    country = sub.add_parser("country", help="run one country's notebook and render its page and the index")
    country.add_argument("code")
    previous = sub.add_parser("keep-previous", help="keep the executed notebooks as the baseline of `make diff`")
    article = sub.add_parser(
        "article", help="assemble <report-dir>/article.ipynb (the PDF article) from the executed pages"
    )
    render = sub.add_parser("render", help="render the site: Quarto when --quarto is given, else the fallback")
    render.add_argument("--only", nargs="*", help="notebooks (relative to the report folder) to render; default all")
    brief = sub.add_parser(
        "brief", help="assemble and render countries' briefs (PDF, with Quarto) in <report-dir>/briefs"
    )
    brief.add_argument("codes", nargs="*", help="country codes (without Quarto: none needed, one line says so)")
    for command in (country, render, brief):
        command.add_argument(
            "--quarto",
            default=os.environ.get("QUARTO") or None,
            help="the quarto program (default: $QUARTO, the checked setting; none: the fallback renderer)",
        )
    for command in (build, banner, country, previous, render, article, brief):
        command.add_argument("--report-dir", type=Path, default=REPORT_DIR)
        command.add_argument("--provenance", type=Path, help="the store's provenance.json (default data/processed)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except OSError as exc:
        if not disk_full(exc):
            raise
        print(f"error: {args.command}: {DISK_FULL}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "keep-previous":
        keep_previous(args.report_dir)
    elif args.command == "build":
        args.quarto = None
        return _render(args, args.only)
    elif args.command == "article":
        from helpers.render.article import write_article

        try:
            target = write_article(args.report_dir, root=ROOT, provenance_path=_provenance(args))
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"assembled the article -> {target}")
    elif args.command == "banner":
        write_banner_include(args.report_dir, args.provenance)
    elif args.command == "country":
        # one process for both steps: the notebook runner and the renderer share their imports
        from helpers.pipeline.parameters import COUNTRY_PAGE, OECD_COUNTRY_PAGE, read_params
        from helpers.pipeline.notebook_runner import NotebookFailed, execute
        from helpers.catalogue import load_catalogue

        code = args.code.upper()
        page = OECD_COUNTRY_PAGE if code in load_catalogue().oecd_countries else COUNTRY_PAGE
        record = read_params(args.report_dir, page)  # the checked settings', as every country page
        output = ROOT / record["output"].format(country=code)
        try:
            execute(record["notebook"], {**record["parameters"], "country": code}, output)
        except NotebookFailed as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"executed {record['notebook']} -> {output.relative_to(ROOT)}")
        # the brief before the page, so that the page links it
        briefed = _briefs(args, [code])
        return _render(args, [f"countries/{code}.ipynb", "countries.ipynb"]) or briefed
    elif args.command == "brief":
        return _briefs(args, [code.upper() for code in args.codes])
    elif args.command == "render":
        return _render(args, args.only)
    return 0


def _briefs(args: argparse.Namespace, codes: list[str]) -> int:
    """Each country's brief (helpers.render.brief) with Quarto; without it, one line saying so."""
    from helpers.render.brief import NEEDS_QUARTO, build_brief

    if not args.quarto:
        print(NEEDS_QUARTO)
        return 0
    status = 0
    for code in codes:
        try:
            pdf = build_brief(args.report_dir, code, quarto=args.quarto, root=ROOT, provenance_path=_provenance(args))
        except (FileNotFoundError, ValueError, RuntimeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"wrote the brief of {code} -> {pdf}")
    return status


def _provenance(args: argparse.Namespace) -> Path:
    return args.provenance or ROOT / "data" / "processed" / "provenance.json"


RENDERER_NOTE = ".renderer"  # in the site: which renderer built it ("quarto" or "fallback")


def renderer_in_use(quarto: str | None) -> str:
    """'quarto' when make found Quarto (the checked setting QUARTO), else 'fallback'. The Makefile's
    site stamp (`_site/.built-<renderer>`) names the same word, so that make renders the site again
    when the renderer changed, though no notebook did."""
    return "quarto" if quarto else "fallback"


def renderer_change(report_dir: Path, renderer: str) -> str:
    """The one line saying that another renderer built the site there, so every page is rendered
    again with this one; '' when this renderer built it, or when there is no site yet."""
    site = report_dir / "_site"
    note = site / RENDERER_NOTE
    recorded = note.read_text(encoding="utf-8").strip() if note.exists() else None
    if recorded == renderer or not site.is_dir():
        return ""
    if recorded is None:
        return f"{site} was built by an unrecorded renderer: every page is rendered again with the {renderer} renderer"
    if renderer == "quarto":
        return (
            f"Quarto found: {site} was built without it (the fallback renderer), so every page is rendered again "
            "with Quarto, the PDF article included"
        )
    return (
        f"Quarto not found: {site} was built with Quarto, so every page is rendered again with the fallback "
        "renderer (no PDF article)"
    )


def _render(args: argparse.Namespace, only: list[str] | None) -> int:
    """The site (or some pages) with Quarto when make found it, else with the fallback renderer.

    A site is built by one renderer: when the other one built it last, every page is rendered again
    (a fallback build starts from an empty site, so no PDF of an older Quarto build is left in it)."""
    renderer = renderer_in_use(args.quarto)
    change = renderer_change(args.report_dir, renderer)
    if change:
        print(change)
        only = None
    status = _render_with(args, only)
    note = args.report_dir / "_site" / RENDERER_NOTE
    if status == 0 and note.parent.is_dir():
        note.write_text(renderer + "\n", encoding="utf-8")
        publish_briefs(args.report_dir, note.parent)  # a whole render replaced _site: the briefs again
    return status


def _render_with(args: argparse.Namespace, only: list[str] | None) -> int:
    if args.quarto:
        try:
            rendered = render_with_quarto(
                args.report_dir, quarto=args.quarto, only=only, provenance_path=args.provenance
            )
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"rendered {len(rendered)} page(s) in {args.report_dir}/_site with Quarto")
        return 0
    site = args.report_dir / "_site"
    staging = site.with_name("_site.new") if only is None else site  # a whole site: beside, then in its place
    if only is None:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        written = build_fallback_site(args.report_dir, staging, only=only, provenance_path=args.provenance)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        shutil.rmtree(site.with_name("_site.new"), ignore_errors=True)
        return 1
    if only is None:
        replace_folder(staging, site)
    print(f"built {len(written)} page(s) in {args.report_dir}/_site with {FALLBACK_NAME} (Quarto not found)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
