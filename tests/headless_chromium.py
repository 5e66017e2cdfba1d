"""Real headless Chromium for the page tests: Debian's chromium and chromedriver, started with the
developers' guide's flags (nothing reaches the network behind the test's back) and a fresh profile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None or shutil.which(CHROMEDRIVER) is None,
    reason=f"needs Chromium and its driver from the system packages ({CHROMIUM}, {CHROMEDRIVER}); "
    "`apt-get install -y chromium chromium-driver`",
)


def chromium(profile_dir: Path, *flags: str) -> webdriver.Chrome:
    """A headless Chromium with a fresh profile in `profile_dir` and these flags besides the guide's."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, *flags, f"--user-data-dir={profile_dir}"]:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
