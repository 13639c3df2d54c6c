"""Debian's chromium and chromium-driver for the real-browser tests.

Outside CI an absent browser skips these tests; in CI (``CI=true``, where ``.ci/run``
installs both with apt-get) it fails them, so they are never skipped there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(*paths: str) -> None:
    """Skip (fail in CI) when one of the browser binaries is absent."""
    absent = [p for p in paths if not Path(p).is_file()]
    if absent:
        message = (f"{absent} not installed (apt-get install chromium chromium-driver)")
        if _in_ci():
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)


def print_pdf(html_path: Path, pdf_path: Path, profile_dir: Path) -> Path:
    """Print an HTML file to PDF with headless Chromium (A4 comes from the page's CSS)."""
    require(CHROMIUM)
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile_dir}", "--no-pdf-header-footer",
           f"--print-to-pdf={pdf_path}", Path(html_path).resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return pdf_path


def driver(profile_dir: Path, width=1280, height=1000):
    """A headless Chromium WebDriver (selenium) with no network access to anything but
    the file it opens."""
    require(CHROMIUM, CHROMEDRIVER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for f in FLAGS:
        opts.add_argument(f)
    opts.add_argument(f"--user-data-dir={profile_dir}")
    opts.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
