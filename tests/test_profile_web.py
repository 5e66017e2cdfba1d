"""The profile page in a real headless Chromium (Debian's chromium + chromedriver), served by
uvicorn on 127.0.0.1 from the snapshot the sample pipeline run published."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import duckdb
import pytest
import uvicorn

from c360.settings import Settings
from profiles.web import create_app
from tests.headless_chromium import chromium, needs_chromium

TOKEN = "profile-page-test-token"

pytestmark = needs_chromium


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def page_url(sample_run: Settings) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(sample_run, token=TOKEN), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the profile server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    driver.implicitly_wait(10)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def person(sample_run: Settings) -> dict:
    """A named customer in at least one segment, as the warehouse holds them."""
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        customer_id, first, last, email = con.execute("""
            select customer_id, first_name, last_name, email from marts.dim_customers
            where first_name is not null and last_name is not null and email is not null
              and customer_id in (select customer_id from marts.segment_membership)
            order by customer_id limit 1""").fetchall()[0]
        segments = [
            s
            for (s,) in con.execute(
                "select segment from marts.segment_membership where customer_id = ? order by 1", [customer_id]
            ).fetchall()
        ]
    return {"customer_id": customer_id, "first_name": first, "last_name": last, "email": email, "segments": segments}


def _search(browser, page_url: str, text: str, token: str = "") -> None:
    from selenium.webdriver.common.by import By

    browser.get(page_url)
    browser.find_element(By.ID, "q").send_keys(text)
    if token:
        browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.ID, "search").click()


def _section(browser, section_id: str) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, section_id).text


def test_search_by_email_with_the_token_shows_name_and_segments(browser, page_url, person):
    _search(browser, page_url, person["email"].upper(), token=TOKEN)
    assert _section(browser, "customer") == f"Customer {person['customer_id']}"
    golden = _section(browser, "golden")
    assert f"first_name {person['first_name']}" in golden and f"last_name {person['last_name']}" in golden
    assert f"email {person['email']}" in golden
    segments = _section(browser, "segments")
    assert all(segment in segments for segment in person["segments"])


def test_search_without_the_token_masks_personal_data_but_shows_segments(browser, page_url, person):
    _search(browser, page_url, person["email"])
    assert _section(browser, "customer") == f"Customer {person['customer_id']}"
    assert "first_name ••• hidden" in _section(browser, "golden")
    assert "Personal data is hidden" in _section(browser, "masked")
    for value in (person["first_name"], person["last_name"], person["email"]):
        assert value not in browser.page_source
    assert all(segment in _section(browser, "segments") for segment in person["segments"])


def test_wrong_token_is_treated_as_no_token(browser, page_url, person):
    _search(browser, page_url, person["email"], token="not-the-token")
    assert person["email"] not in browser.page_source


def test_unknown_email_says_not_found(browser, page_url):
    _search(browser, page_url, "nobody@example.com", token=TOKEN)
    assert _section(browser, "error") == "Not found: no customer has that email address."
