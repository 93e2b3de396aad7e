"""The report page in a real browser: headless Chromium (Debian's chromium + chromium-driver, via Selenium).

The page must render (a body with the section headings), log no console error, and show markup
from the articles as text without running any of it: payloads that would set ``window.__pwned`` or
open an alert leave no trace. A full-page screenshot is saved next to the report.

Where Chromium, ChromeDriver or Selenium is missing the tests skip, saying what to install; under
CI (``$CI`` set) they fail instead, since the CI script installs all three.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report import SECTIONS, write_hostile_corpus

from toolkit.report import build_report

#: Payloads that would leave a mark if any of them ran.
PWN_PAYLOADS = ('<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>",
                '"><svg onload="window.__pwned=1">', "<script>alert(1)</script>",
                "<img src=x onerror=alert(1)>")
BROWSER = os.environ.get("TOOLKIT_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("TOOLKIT_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = "apt-get install chromium chromium-driver; pip install selenium (the test extra)"


def _missing() -> str | None:
    """What is missing to run a headless browser, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    for path in (BROWSER, DRIVER):
        if not (Path(path).is_file() or shutil.which(path)):
            return f"{path} not found"
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    missing = _missing()
    if missing:
        message = f"headless Chromium unavailable: {missing} ({INSTALL})"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = BROWSER
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run",
                 "--disable-quic", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1280,1000", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(DRIVER), options=options)
    browser.set_page_load_timeout(60)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser-report")
    folder = write_hostile_corpus(root / "in", payloads=PWN_PAYLOADS, outlet='<b>Bold</b> "Gazette"')
    return build_report(folder, root / "out", cache_dir=root / "cache", progress=False)


@pytest.fixture(scope="module")
def opened(driver: object, hostile_report: Path) -> object:
    driver.get(hostile_report.as_uri())
    return driver


def test_page_renders_with_its_sections(opened: object) -> None:
    from selenium.webdriver.common.by import By

    body = opened.find_element(By.TAG_NAME, "body")
    assert body.text.strip()
    headings = [h.text for h in opened.find_elements(By.TAG_NAME, "h2")]
    assert headings == list(SECTIONS)
    images = opened.find_elements(By.CSS_SELECTOR, "figure img")
    assert images
    for image in images:             # every embedded figure decoded and laid out
        assert opened.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 100
        assert image.size["width"] > 100


def test_no_console_errors(opened: object) -> None:
    errors = [entry for entry in opened.get_log("browser") if entry.get("level") == "SEVERE"]
    assert errors == []


def test_payloads_show_as_text_and_run_nothing(opened: object) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    assert opened.execute_script("return typeof window.__pwned") == "undefined"
    with pytest.raises(NoAlertPresentException):
        opened.switch_to.alert.text  # noqa: B018 - raises when no alert is open
    text = opened.find_element(By.TAG_NAME, "body").text
    for payload in PWN_PAYLOADS:
        assert payload in text, f"payload not shown as text: {payload}"
    assert '<b>Bold</b> "Gazette"' in text
    assert opened.execute_script("return document.scripts.length") == 0
    assert opened.execute_script("return document.querySelectorAll('svg, iframe, object, embed').length") == 0
    sources = opened.execute_script("return Array.from(document.images).map(i => i.src.slice(0, 22))")
    assert set(sources) == {"data:image/png;base64,"}


def test_full_page_screenshot(opened: object, hostile_report: Path) -> None:
    height = opened.execute_script("return document.documentElement.scrollHeight")
    assert height > 2000
    shot = opened.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 0.5}})
    path = hostile_report.parent / "screenshot.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[20:24], "big") >= height // 2 - 1       # the whole page, at half scale
