"""The read-only profile page: search by email, customer id or SOURCE:ID, see the profile.

It reads the snapshot the pipeline publishes at the end of each run (profiles.snapshot), never
the live warehouse, so it neither waits for nor blocks the single writer. Personal data (names,
emails, phones, address, date of birth) is shown only to a request carrying the token from
C360_PROFILE_TOKEN (form field `token` or `Authorization: Bearer`); otherwise it is masked.
Searches are POSTed so an email typed into the form never lands in an access log.
"""

from __future__ import annotations

import hmac
import os
import threading
from pathlib import Path
from urllib.parse import parse_qs

import duckdb
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from c360.settings import Settings
from profiles.lookup import Profile, ProfileNotFound, Warehouse, find_customer, load_profile
from profiles.snapshot import snapshot_path
from profiles.text import format_value

TOKEN_ENV = "C360_PROFILE_TOKEN"
MASK = "••• hidden"
PII_FIELDS = {
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "phone_e164",
    "street",
    "address",
    "postcode",
    "postal_code",
    "city",
    "date_of_birth",
    "dob",
    "location_city",
}
PII_IDENTIFIER_TYPES = {"email", "phone"}
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["value"] = format_value


class Snapshot:
    """One read-only connection to the published snapshot, reopened when a newer one replaces it
    (os.replace gives the path a new inode; the old file stays readable until closed)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._inode: int | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._columns: dict[str, list[str]] = {}

    def warehouse(self) -> Warehouse:
        inode = os.stat(self.path).st_ino  # FileNotFoundError when nothing is published yet
        with self._lock:
            if inode != self._inode:
                self._con = duckdb.connect(str(self.path), read_only=True)
                self._columns = Warehouse(self._con.cursor()).columns
                self._inode = inode
            return Warehouse(self._con.cursor(), self._columns)


def _masked(profile: Profile) -> Profile:
    def hide(row: dict) -> dict:
        return {k: (MASK if k in PII_FIELDS and v is not None else v) for k, v in row.items()}

    profile.golden = hide(profile.golden)
    profile.enrichment = hide(profile.enrichment)
    profile.identifiers = [
        {**row, "identifier_value": MASK} if row["identifier_type"] in PII_IDENTIFIER_TYPES else row
        for row in profile.identifiers
    ]
    return profile


def _query(text: str) -> dict[str, str]:
    """The search box takes an email, a SOURCE:ID record or a customer id."""
    text = text.strip()
    if "@" in text:
        return {"email": text}
    if ":" in text:
        return {"record": text}
    return {"customer_id": text}


def create_app(settings: Settings, token: str | None = None) -> Starlette:
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    snapshot = Snapshot(snapshot_path(settings.warehouse))

    def authorised(request: Request, form_token: str) -> bool:
        offered = form_token or request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return bool(token and offered) and hmac.compare_digest(offered.encode(), token.encode())

    def page(request: Request, status: int = 200, **context) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "profile.html", context, status_code=status)

    async def search(request: Request) -> HTMLResponse:
        return page(request)

    async def profile(request: Request) -> HTMLResponse:
        form = parse_qs((await request.body()).decode(), keep_blank_values=True)
        text, form_token = form.get("q", [""])[0], form.get("token", [""])[0]
        unmasked = authorised(request, form_token)
        if not text.strip():
            return page(request, 400, error="Type an email, a customer id or a SOURCE:ID record.")
        try:
            found = await run_in_threadpool(lookup, text)
        except FileNotFoundError:
            return page(request, 503, error="No snapshot published yet: run the pipeline first.")
        except ProfileNotFound as exc:
            return page(request, 404, error=f"Not found: {exc}.")
        return page(request, profile=found if unmasked else _masked(found), unmasked=unmasked)

    def lookup(text: str) -> Profile:
        warehouse = snapshot.warehouse()
        customer_id, asked_for = find_customer(warehouse, **_query(text))
        return load_profile(warehouse, customer_id, asked_for)

    return Starlette(routes=[Route("/", search), Route("/profile", profile, methods=["POST"])])


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port)
