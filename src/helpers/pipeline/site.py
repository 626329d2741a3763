"""The site commands make calls: render the site (Quarto or the fallback), one country, the briefs.

    python -m helpers.pipeline.site render --report-dir report        (make site: what changed since the last render)
    python -m helpers.pipeline.site country PT --report-dir report    (make country)
    python -m helpers.pipeline.site brief [CODE ...]                  (make briefs: every country's, or these)

A render first assembles the article from the executed pages and makes again the briefs older than their page, then
renders the pages whose executed notebook (or brief) changed since the last render, recorded by content in
``_site/.rendered.json``; every page when the renderer, its code, the site's configuration or CITATION.cff changed."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.base.errors import DISK_FULL, disk_full

ROOT = Path(__file__).resolve().parents[3]
RENDERED = ".rendered.json"  # in the site: what each page was rendered from (sha256), and by what
# (no module of the site or the renderers imported here: pandas would come with them, before make country's kernel)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The report's site: Quarto or the fallback renderer, for make.")
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser(
        "render", help="render what changed since the last render: Quarto with --quarto, else the fallback"
    )
    render.add_argument("--only", nargs="*", help="these pages (relative to the report folder), whatever changed")
    country = sub.add_parser(
        "country", help="run one country's notebook, make its brief and render its page (and the index if changed)"
    )
    country.add_argument("code")
    brief = sub.add_parser("brief", help="make countries' briefs (PDF, with Quarto) in <report-dir>/briefs")
    brief.add_argument("codes", nargs="*", help="country codes (default: every country with a page)")
    for command in (render, country, brief):
        command.add_argument(
            "--quarto",
            default=os.environ.get("QUARTO") or None,
            help="the quarto program (default: $QUARTO, the checked setting; none: the fallback renderer)",
        )
        command.add_argument("--report-dir", type=Path, default=ROOT / "report")
        command.add_argument("--data-dir", type=Path, default=Path("data"))
    args = parser.parse_args(argv)
    args.provenance = ROOT / args.data_dir / "processed" / "provenance.json"
    try:
        if args.command == "country":
            return _country(args, args.code.upper())
        if args.command == "brief":
            return _briefs(args, brief_codes(args.report_dir, args.codes))
        return _render(args, args.only if args.only is not None else changed_pages(args))
    except OSError as exc:
        if not disk_full(exc):
            raise
        print(f"error: {args.command}: {DISK_FULL}", file=sys.stderr)
        return 1


def _country(args: argparse.Namespace, code: str) -> int:
    from helpers.pipeline.notebook_runner import prestart_kernel

    prestart_kernel("30_country_profile")  # it starts and imports while this process loads the rest
    import threading

    # the renderers' imports while the kernel runs the notebook (this process only waits on it meanwhile)
    threading.Thread(target=_import_renderers, daemon=True).start()
    from helpers.pipeline.pages import run

    # the checked settings' parameters, as every country page; run again even when current
    if run(args.report_dir, args.data_dir, jobs=1, countries=[code], force=True):
        return 1
    stale = unrendered(args)  # the country index too when it changed since the last render (or has none)
    pages = [f"countries/{code}.ipynb"] + [page for page in ["countries.ipynb"] if stale is None or page in stale]
    if not args.quarto:
        return _briefs(args, [code]) or _render(args, pages)
    from helpers.render.brief import BRIEFS_UNDER_WAY, publish_briefs

    # the brief's Quarto beside the page's (and the index's, if changed): the page links the brief under way
    with ThreadPoolExecutor(max_workers=1) as beside:
        brief = beside.submit(_briefs, args, [code])
        under_way = BRIEFS_UNDER_WAY.set(frozenset({code}))
        try:
            rendered = _render(args, pages, jobs=1)
        finally:
            BRIEFS_UNDER_WAY.reset(under_way)
        briefed = brief.result()
    if briefed:  # no brief: its page must not link it
        return _render(args, pages[:1]) or briefed
    publish_briefs(args.report_dir, args.report_dir / "_site")
    _record(args, pages)
    return rendered


def _import_renderers() -> None:
    import helpers.render.brief  # noqa: F401
    import helpers.render.fallback_renderer  # noqa: F401
    import helpers.render.quarto_renderer  # noqa: F401


def brief_codes(report_dir: Path, codes: list[str]) -> list[str]:
    """The countries whose briefs `make briefs` makes: those given, else every country with a page."""
    return [code.upper() for code in codes] or [p.stem for p in sorted((report_dir / "countries").glob("*.ipynb"))]


def _briefs(args: argparse.Namespace, codes: list[str]) -> int:
    """Each country's brief (helpers.render.brief) with Quarto, JOBS at a time; without it, one line saying so."""
    from helpers.render.brief import NEEDS_QUARTO, build_brief

    if not args.quarto:
        print(NEEDS_QUARTO)
        return 0

    def one(code: str) -> int:  # each brief is a Quarto process of its own
        try:
            pdf = build_brief(args.report_dir, code, quarto=args.quarto, root=ROOT, provenance_path=args.provenance)
        except (FileNotFoundError, ValueError, RuntimeError) as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return 1
        print(f"wrote the brief of {code} -> {pdf}", flush=True)
        return 0

    with ThreadPoolExecutor(max_workers=int(os.environ.get("JOBS") or os.cpu_count() or 1)) as pool:
        return max(pool.map(one, codes), default=0)


def site_inputs(args: argparse.Namespace) -> dict:
    """What the site is rendered from: the renderer, its code and configuration, and each page's notebook
    (a country's page with its brief, which it links)."""
    from helpers.pipeline.pages import Hashes
    from helpers.pipeline.prerequisites import prerequisites
    from helpers.render.brief import current_brief
    from helpers.render.site_config import pages as site_pages

    sha256, shared = Hashes(), [ROOT / name for name in prerequisites()["site"]]
    shared += [ROOT / "CITATION.cff", args.report_dir / "_quarto.yml", args.report_dir / "styles.css"]
    pages = {}
    for page in (page.source.as_posix() for page in site_pages(args.report_dir)):
        pages[page] = sha256[args.report_dir / page]
        if page.startswith("countries/") and current_brief(args.report_dir, Path(page).stem) is not None:
            pages[page] += " brief " + sha256[args.report_dir / "briefs" / (Path(page).stem + ".pdf")]
    code = hashlib.sha256("".join(sha256[path] for path in sorted(shared)).encode()).hexdigest()
    return {"renderer": renderer_in_use(args.quarto), "code": code, "pages": pages}


def changed_pages(args: argparse.Namespace) -> list[str] | None:
    """The pages to render again: those whose inputs changed since the last render (None: every page).

    The article is assembled first from the executed pages, and the briefs older than their page are made
    again (with Quarto), so that both count as they are now."""
    from helpers.render.article import write_article
    from helpers.render.brief import current_brief

    write_article(args.report_dir, root=ROOT, provenance_path=args.provenance)
    briefs = sorted((args.report_dir / "briefs").glob("*.pdf"))
    stale = [pdf.stem for pdf in briefs if current_brief(args.report_dir, pdf.stem) is None]
    if stale and args.quarto:
        _briefs(args, stale)
    return unrendered(args)


def unrendered(args: argparse.Namespace) -> list[str] | None:
    """The pages whose inputs differ from those recorded at the last render (None: every page)."""
    before, now = _recorded(args.report_dir), site_inputs(args)
    if (before["renderer"], before["code"]) != (now["renderer"], now["code"]):
        return None
    return [page for page, made in now["pages"].items() if before["pages"].get(page) != made]


def renderer_in_use(quarto: str | None) -> str:
    """'quarto' when make found Quarto (the checked setting QUARTO), else 'fallback'. The Makefile's
    site stamp (`_site/.built-<renderer>`) names the same word, so that make renders the site again
    when the renderer changed, though no notebook did."""
    return "quarto" if quarto else "fallback"


def renderer_change(report_dir: Path, renderer: str) -> str:
    """The one line saying that another renderer built the site there, so every page is rendered
    again with this one; '' when this renderer built it, or when there is no site yet."""
    site = report_dir / "_site"
    recorded = _recorded(report_dir)["renderer"]
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


def _render(args: argparse.Namespace, only: list[str] | None, jobs: int | None = None) -> int:
    """The site (or some pages) with Quarto when make found it, else with the fallback renderer.

    A site is built by one renderer: when the other one built it last, every page is rendered again
    (a fallback build starts from an empty site, so no PDF of an older Quarto build is left in it)."""
    renderer = renderer_in_use(args.quarto)
    change = renderer_change(args.report_dir, renderer)
    if change:
        print(change)
        only = None
    if only == []:
        print(f"nothing to render again in {args.report_dir}/_site")
        return 0
    from helpers.render.brief import publish_briefs
    from helpers.render.fallback_renderer import FALLBACK_NAME, build_fallback_site
    from helpers.render.quarto_renderer import render_with_quarto

    try:
        if args.quarto:
            made = len(
                render_with_quarto(
                    args.report_dir, quarto=args.quarto, only=only, provenance_path=args.provenance, jobs=jobs
                )
            )
        else:
            made = len(build_fallback_site(args.report_dir, only=only, provenance_path=args.provenance))
    except (RuntimeError, FileNotFoundError) as exc:  # the site is left as it was
        print(f"error: {exc}", file=sys.stderr)
        return 1
    how = "rendered {} page(s) in {}/_site with Quarto" if args.quarto else "built {} page(s) in {}/_site with "
    print(how.format(made, args.report_dir) + ("" if args.quarto else f"{FALLBACK_NAME} (Quarto not found)"))
    publish_briefs(args.report_dir, args.report_dir / "_site")  # a whole render replaced _site: the briefs again
    _record(args, only)
    return 0


def _record(args: argparse.Namespace, rendered: list[str] | None) -> None:
    """What the site's pages were rendered from, for a later render to compare: the pages `rendered` now (None:
    all) as they are, the others as recorded before (none when the renderer or its code changed since)."""
    now, before = site_inputs(args), _recorded(args.report_dir)
    if rendered is not None:
        old = before["pages"] if (before["renderer"], before["code"]) == (now["renderer"], now["code"]) else {}
        now["pages"] = {page: made if page in rendered else old.get(page, "") for page, made in now["pages"].items()}
    (args.report_dir / "_site" / RENDERED).write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")


def _recorded(report_dir: Path) -> dict:
    """What the site was rendered from, and by which renderer (none recorded: None)."""
    try:
        return json.loads((report_dir / "_site" / RENDERED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"renderer": None, "code": None, "pages": {}}


if __name__ == "__main__":
    sys.exit(main())
