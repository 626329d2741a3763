"""The built site in a real browser: headless Chromium (Debian's), served on 127.0.0.1.

Skipped with a message only where Chromium or its driver cannot be found; `make test`
installs them first where it can (Debian, as root).
"""

from __future__ import annotations

import functools
import io
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin, urlparse

import pytest
import requests

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def site_url(built_report):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built_report / "report" / "_site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium or chromedriver not found (apt-get install chromium chromium-driver); browser test skipped")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1280,1600", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def not_blank(png: bytes) -> bool:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    low, high = image.getextrema()
    return high - low > 50


@pytest.mark.parametrize("page", ["index.html", "countries/ES.html", "education-gaps.html"])
def test_page_in_a_real_browser(browser, site_url, page):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(urljoin(site_url, page))
    assert browser.execute_script("return document.readyState") == "complete"

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    banner = browser.find_element(By.CSS_SELECTOR, "body > .synthetic-banner")
    assert banner.is_displayed() and "SYNTHETIC DATA" in banner.text

    for image in browser.find_elements(By.TAG_NAME, "img"):
        assert (image.get_attribute("alt") or "").strip(), "an image without alt text"
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)

    figures = browser.find_elements(By.CSS_SELECTOR, "figure.report-figure img")
    if page != "index.html":
        assert figures, "no figure on the page"
    for figure in figures[:2]:
        browser.execute_script("arguments[0].scrollIntoView()", figure)
        assert figure.size["width"] > 200 and not_blank(figure.screenshot_as_png)

    # every internal link and image resolves
    current = browser.current_url
    targets = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")}
    targets |= {l.get_attribute("href") for l in browser.find_elements(By.CSS_SELECTOR, "link[href]")}
    for target in sorted(t for t in targets if t and t.startswith(site_url)):
        url = urlparse(target)._replace(fragment="").geturl()
        if url == current.split("#")[0]:
            continue
        assert requests.get(url, timeout=10).status_code == 200, f"{target} (linked from {page}) does not resolve"
