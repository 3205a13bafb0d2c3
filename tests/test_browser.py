"""The report must work for a person: render it in headless Chromium, use its filters, take a screenshot.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs both); driven with Selenium.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import time
from pathlib import Path
from typing import Iterator

import pytest

from biblio.pipeline import run_query
from biblio.query import load_query

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None or DRIVER is None:
        if os.environ.get("CI"):
            pytest.fail("chromium/chromedriver not installed; .ci/run installs them (apt-get install chromium chromium-driver)")
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    out = tmp_path_factory.mktemp("browser")
    run = run_query(load_query(REPO / "queries" / "synthetic.toml"), output_dir=out, run_id="b1", as_of=dt.date(2026, 11, 1))
    return run.run_dir / "report.html"


def new_driver(width: int = 1400, height: int = 1000):  # noqa: ANN201 - selenium type
    """A headless Chromium driven through Debian's chromedriver (no network, no driver download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", f"--window-size={width},{height}"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)


@pytest.fixture(scope="module")
def page(report: Path) -> Iterator[object]:
    d = new_driver()
    try:
        d.get(report.as_uri())
        wait_ready(d)
        yield d
    finally:
        d.quit()


def wait_ready(d: object, timeout: float = 20) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if d.execute_script("return document.documentElement.dataset.ready") == "1":
            return
        time.sleep(0.05)
    raise AssertionError("the report's script did not finish")


def show_evidence(d: object, timeout: float = 20) -> int:
    """Scroll to the evidence table (tables are drawn when they come into view); its row count."""
    d.execute_script("document.getElementById('evidence-table').scrollIntoView()")
    end = time.time() + timeout
    while time.time() < end:
        n = d.execute_script("return document.getElementById('evidence-table').dataset.visible")
        if n is not None:
            return int(n)
        time.sleep(0.05)
    raise AssertionError("the evidence table was not drawn")


def visible_rows(d: object) -> int:
    return d.execute_script("return document.querySelectorAll('#evidence-table tbody tr:not(.det)').length")


def test_sections_headline_and_toc(page: object) -> None:
    html = page.page_source
    for section in ("synthetic-banner", "headline", "house", "plots", "partners", "us-side", "money", "award-view", "signals", "evidence", "methodology", "caveats"):
        assert f'id="{section}"' in html, section
    assert "DoD-funded papers with PRC co-authors (published" in page.find_element("id", "headline-sentence").text
    toc = page.find_element("id", "toc")
    assert toc.value_of_css_property("position") == "sticky" and len(toc.find_elements("tag name", "a")) >= 10
    assert html.count("data:image/png;base64,") == 6
    assert "<script src" not in html and "src=\"http" not in html and "<link" not in html  # nothing from the network


def test_typing_in_the_filter_hides_rows(page: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    total = show_evidence(page)
    box = page.find_element(By.CSS_SELECTOR, "#evidence-table input.dt-search")
    assert visible_rows(page) == min(total, 50) > 10
    box.send_keys("Beihang")
    time.sleep(0.4)
    shown = visible_rows(page)
    assert 0 < shown < total
    for row in page.find_elements(By.CSS_SELECTOR, "#evidence-table tbody tr"):
        assert "beihang" in row.text.lower() or "aeronautics and astronautics" in row.text.lower()
    box.clear()
    box.send_keys("no such partner xyz")
    time.sleep(0.4)
    assert visible_rows(page) == 0 and "No matching rows" in page.find_element(By.CSS_SELECTOR, "#evidence-table .dt-info").text
    box.clear()
    box.send_keys(" ")
    time.sleep(0.4)
    Select(page.find_element(By.CSS_SELECTOR, "#evidence-table select.dt-filter")).select_by_visible_text("Treasury NS-CMIC")
    time.sleep(0.2)
    assert 0 < visible_rows(page) < total
    from selenium.webdriver.support.ui import WebDriverWait

    page.find_element(By.CSS_SELECTOR, "#evidence-table button.tog").click()
    det = WebDriverWait(page, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "#evidence-table tr.det"))
    assert "Raw affiliation" in det.text and "ror.org" in det.get_attribute("innerHTML")


def test_screenshot_shows_the_report(report: Path, tmp_path: Path) -> None:
    d = new_driver(1400, 2400)
    try:
        d.get(report.as_uri())
        wait_ready(d)
        shot = tmp_path / "report.png"
        d.save_screenshot(str(shot))
    finally:
        d.quit()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1200 and height >= 1000
    assert len(data) > 50_000  # a blank page compresses to a few KB; the report does not
    keep = os.environ.get("BIBLIO_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "report.png")
