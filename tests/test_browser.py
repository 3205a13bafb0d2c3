"""The report must look right to a person: render it in headless Chromium and check it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from biblio.pipeline import run_query
from biblio.query import load_query

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium)")
        pytest.skip("headless Chromium not installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp("browser")
    run = run_query(load_query(REPO / "queries" / "demo.toml"), output_dir=out, run_id="b1", as_of=dt.date(2026, 11, 1))
    return run.run_dir / "report.html"


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


def test_report_renders_with_its_sections(report: Path) -> None:
    dom = _chromium("--dump-dom", report.as_uri()).stdout
    for section in ("synthetic-banner", "headline", "plots", "tables", "methodology", "caveats", "evidence"):
        assert f'id="{section}"' in dom, section
    assert "SYNTHETIC DATA PRESENT" in dom
    assert "Papers in scope" in dom and "lower bound" in dom
    assert dom.count("data:image/png;base64,") == 5
    assert "10.5555/biblio-synth-" in dom  # the evidence table is populated


def test_screenshot_shows_the_report(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _chromium(f"--screenshot={shot}", "--window-size=1280,2400", report.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2400)
    assert len(data) > 50_000  # a blank page compresses to a few KB; the report does not
    keep = os.environ.get("BIBLIO_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "report.png")
