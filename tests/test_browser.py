"""The built site in a real browser: headless Chromium (Debian's), served on 127.0.0.1.

Both renderers are checked the same way: the fallback (always) and Quarto (when `quarto` is on
the PATH; skipped with a message otherwise). Skipped with a message where Chromium or its driver
cannot be found; `make test` installs them first where it can (Debian, as root).
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import tempfile
import threading
from pathlib import Path
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin, urlparse

import pytest
import requests

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(tempfile.gettempdir()) / "oecd-social-media-screenshots"  # for people to look at
SCREENSHOTS.mkdir(exist_ok=True)


RENDERER_OF: dict[str, str] = {}  # site URL -> which renderer built it


@pytest.fixture(scope="module", params=["fallback", "quarto"])
def site_url(request):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    clone = request.getfixturevalue("built_report" if request.param == "fallback" else "quarto_report")
    handler = functools.partial(Quiet, directory=str(clone / "report" / "_site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    RENDERER_OF[url] = request.param
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(
            "Chromium or chromedriver not found (apt-get install chromium chromium-driver); browser test skipped"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def not_blank(png: bytes) -> bool:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    low, high = image.getextrema()
    return high - low > 50


def requested_urls(browser) -> list[str]:
    """Every URL the page asked for since the last call (Chrome's network log)."""
    import json

    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("page", ["index.html", "countries/PT.html", "education-gaps.html", "cite.html"])
def test_page_in_a_real_browser(browser, site_url, page):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # drop what earlier pages logged
    browser.get_log("performance")
    browser.get(urljoin(site_url, page))
    # on a loaded machine (two cores, CI) the first page of a fixture may still be loading for a moment
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda b: b.execute_script("return document.readyState") == "complete")
    assert browser.execute_script("return document.readyState") == "complete"

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    # (the browser's own chrome:// pages are not the site's requests)
    elsewhere = [
        url
        for url in requested_urls(browser)
        if url.startswith(("http:", "https:", "ws:", "wss:", "//")) and not url.startswith(site_url)
    ]
    assert not elsewhere, f"{page} asks another host: {elsewhere}"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    headings = browser.find_elements(By.TAG_NAME, "h1")
    assert len(headings) == 1
    # a real title: the page's heading, never its file name
    assert browser.title.startswith(headings[0].text.strip()), (browser.title, headings[0].text)

    # the synthetic-data warning: shown once, at the top, above the heading
    banners = [b for b in browser.find_elements(By.CSS_SELECTOR, ".synthetic-banner") if b.is_displayed()]
    assert len(banners) == 1, f"{len(banners)} banners shown"
    banner = banners[0]
    assert "SYNTHETIC DATA" in banner.text and "NOT Eurostat" in banner.text
    assert banner.location["y"] < headings[0].location["y"]
    assert banner.value_of_css_property("visibility") == "visible" and banner.size["height"] > 20
    browser.save_screenshot(str(SCREENSHOTS / f"{RENDERER_OF[site_url]}-{page.replace('/', '-')}.png"))

    for image in browser.find_elements(By.TAG_NAME, "img"):
        assert (image.get_attribute("alt") or "").strip(), "an image without alt text"
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)

    figures = browser.find_elements(By.CSS_SELECTOR, "figure svg.report-chart")
    if page in ("countries/PT.html", "education-gaps.html"):
        assert figures, "no figure on the page"
        # numbered and captioned, by either renderer
        captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "figure figcaption")]
        assert any(re.match(r"Figure\s1: \S", c) for c in captions), captions
        assert any(re.match(r"Table\s1: \S", c) for c in captions), captions
    if page == "countries/PT.html":
        # the wide then-and-now table gets the page's width: at 1280 px its values stay on one line
        table = browser.find_element(By.CSS_SELECTOR, "#tbl-country-profile table")
        assert table.size["width"] > 900, table.size
    for figure in figures[:2]:
        browser.execute_script("arguments[0].scrollIntoView()", figure)
        assert figure.size["width"] > 200 and not_blank(figure.screenshot_as_png)

    # every internal link and image resolves
    current = browser.current_url
    targets = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")}
    targets |= {link.get_attribute("href") for link in browser.find_elements(By.CSS_SELECTOR, "link[href]")}
    for target in sorted(t for t in targets if t and t.startswith(site_url)):
        url = urlparse(target)._replace(fragment="").geturl()
        if url == current.split("#")[0]:
            continue
        assert requests.get(url, timeout=10).status_code == 200, f"{target} (linked from {page}) does not resolve"


def site_pages(site_url) -> list[str]:
    """Every page of the site, from the Overview's navigation and the country index."""
    root = requests.get(urljoin(site_url, "countries.html"), timeout=10).text
    countries = sorted(set(re.findall(r'href="(?:\./)?(countries/[A-Z]{2,3}\.html)"', root)))
    return [
        "index.html",
        "youth-civic.html",
        "education-gaps.html",
        "senior-uptake.html",
        "other-figures.html",
        "countries.html",
        "data-and-methods.html",
        "cite.html",
        *countries,
    ]


def raw_codes() -> set[str]:
    """Codes a reader should never meet in a table header or a caption: the catalogue's series codes."""
    from helpers.catalogue import load_catalogue

    labels = load_catalogue().labels
    return {
        code
        for dimension in ("indic_is", "unit", "ind_type", "hhtyp")
        for code in labels.get(dimension, {})
        if len(code) > 2
    } | {"geo", "flag_then", "rank_then", "flag_now", "rank_now", "EU code"}


LOCAL_PATH = re.compile(r"(?<![\w.:/])/(?:home|tmp|work|root|Users|mnt|var|opt)/")


def test_every_page_reads_as_a_report(browser, site_url):
    """#11: headers in words, no local path, no horizontal overflow at 1280 px; verdicts in words."""
    from selenium.webdriver.common.by import By

    codes = raw_codes()
    for page in site_pages(site_url):
        browser.get(urljoin(site_url, page))
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page} is {overflow} px wider than the window"
        navigation = browser.find_element(By.CSS_SELECTOR, "nav.site-nav, nav.navbar")
        assert navigation.size["height"] < 80, f"{page}: the navigation wraps ({navigation.size['height']} px high)"
        headers = {th.text.strip() for th in browser.find_elements(By.CSS_SELECTOR, "main th, #content th")}
        assert not headers & codes, f"{page}: raw codes in table headers: {headers & codes}"
        captions = " ".join(c.text for c in browser.find_elements(By.TAG_NAME, "figcaption"))
        assert not {c for c in codes if re.search(rf"\b{re.escape(c)}\b", captions)}, f"{page}: raw codes in captions"
        text = browser.find_element(By.TAG_NAME, "body").text
        assert not LOCAL_PATH.search(text), f"{page}: a local path: {LOCAL_PATH.search(text).group(0)}"
        if page in ("youth-civic.html", "education-gaps.html", "senior-uptake.html", "other-figures.html"):
            assert "What the paper said" in text and "Verdict:" in text, page
    browser.get(urljoin(site_url, "index.html"))
    messages = browser.find_elements(By.XPATH, "//h2[contains(., 'Key messages')]/following::ul[1]/li")
    assert 3 <= len(messages) <= 5
    assert browser.find_elements(By.CSS_SELECTOR, "svg.report-chart[aria-label^='Dot chart of']"), "no visual scorecard"
    assert browser.find_elements(By.CSS_SELECTOR, ".verdict-reproduced, .verdict-partly, .verdict-not-reproduced")


def test_on_a_phone_no_page_scrolls_sideways_and_the_small_multiples_are_one_per_row(browser, site_url):
    """#37: at 390 px wide no page scrolls sideways, and a country page's small multiples are one
    chart per row, most of the screen's width, their smallest text at least 10 px (not one nine-panel
    chart shrunk to 296 px, its labels a few pixels high)."""
    pages = site_pages(site_url)
    if requests.get(urljoin(site_url, "article.html"), timeout=10).status_code == 200:
        pages.append("article.html")
    # a phone's viewport (a headless window is never narrower than 500 px)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        wide = {}
        for page in pages:
            browser.get(urljoin(site_url, page))
            extra = browser.execute_script("return document.scrollingElement.scrollWidth - window.innerWidth")
            if extra > 0:
                wide[page] = extra
        assert not wide, f"pages wider than a 390 px phone (px): {wide}"
        browser.get(urljoin(site_url, "countries/ES.html"))
        # each panel's left edge, width and smallest text as drawn (px: its font size times the SVG's scale)
        boxes = browser.execute_script(
            "return [...document.querySelectorAll('#fig-country-trend svg.report-chart')].map(s => {"
            "  const r = s.getBoundingClientRect(), scale = r.width / s.viewBox.baseVal.width;"
            "  const sizes = [...s.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize));"
            "  return [r.left, r.width, Math.min(...sizes) * scale]; })"
        )
        assert browser.execute_script("return window.innerWidth") == 390
        assert len(boxes) >= 6, boxes
        assert len({round(left) for left, _, _ in boxes}) == 1, f"not one per row: {boxes}"
        assert min(width for _, width, _ in boxes) >= 0.65 * 390, boxes
        assert min(text for _, _, text in boxes) >= 10, f"text smaller than 10 px: {boxes}"
        browser.execute_script("document.getElementById('fig-country-trend').scrollIntoView()")
        browser.save_screenshot(str(SCREENSHOTS / f"country-390px-{RENDERER_OF[site_url]}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_charts_marks_carry_their_words_in_the_page(browser, site_url):
    """#37: the SVG is part of the page (a browser shows no titles of an <img>'s SVG): a bar's group has
    its <title>, which Chromium exposes as the mark's accessible name; ids are unique on the page."""
    from selenium.webdriver.common.by import By

    browser.get(urljoin(site_url, "youth-civic.html"))
    found = browser.execute_script(
        "const t = document.querySelector('#fig-youth-then svg.report-chart g > title');"
        "const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        "return [t && t.parentElement.closest('svg') !== null, t && t.textContent, ids.length - new Set(ids).size];"
    )
    inside, words, duplicates = found
    assert inside and re.match(r".+, 2013: \d", words), found
    assert duplicates == 0, f"{duplicates} ids used twice on the page"
    assert not browser.find_elements(By.CSS_SELECTOR, "img[src$='.svg'], img[src$='.png']")
    # what a screen reader gets (Chromium's accessibility tree): the chart named by its alt text, and
    # the mark, inside it, named by its title
    nodes = browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    named = {(n.get("role", {}).get("value"), n.get("name", {}).get("value")) for n in nodes if not n.get("ignored")}
    assert ("group", words) in named, f"{words!r} is not in the accessibility tree"
    assert any(role == "graphics-document" and str(name).startswith("Bar chart ranking") for role, name in named)


AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(browser) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page open in the browser."""
    browser.set_script_timeout(60)
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
    )
    assert isinstance(result, list), f"axe-core failed: {result}"
    return [v for v in result if v.get("impact") in ("serious", "critical")]


def test_no_page_has_a_serious_or_critical_accessibility_violation(browser, site_url):
    """#21: axe-core (npm, pinned in tests/browser/package-lock.json) on every page of each renderer."""
    if not AXE.exists():
        pytest.skip(f"axe-core not installed ({AXE}): `make browser-deps` installs it with npm")
    found = {}
    pages = site_pages(site_url)
    if requests.get(urljoin(site_url, "article.html"), timeout=10).status_code == 200:
        pages.append("article.html")
    for page in pages:
        browser.get(urljoin(site_url, page))
        for violation in axe_violations(browser):
            targets = [
                " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                for node in violation["nodes"][:3]
            ]
            found.setdefault(f"{violation['id']} ({violation['impact']}): {violation['help']}", []).append(
                f"{page}: {', '.join(targets)}"
            )
    assert not found, "\n".join(f"{rule}\n    " + "\n    ".join(where[:5]) for rule, where in found.items())
