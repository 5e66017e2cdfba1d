"""Segment-spec website tracking: devices, sessions, logins and email-link landings.

Each device is one anonymousId. A device becomes identifiable either by a login
(identify call carrying the stable userId) or by landing from an email click whose URL
carries `mc_eid`; a minority of devices never do, the realistic residual no resolver can fix.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from c360_generator import vocab
from c360_generator.mail import Click
from c360_generator.people import Person, weighted
from c360_generator.spool import SortedSpool
from c360_generator.variations import format_us_phone, messy_email

WEB_ACTIVE_SHARE = 0.6  # known persons who visit the site at all
ACCOUNT_SHARE = 0.8  # of those, persons with a login (a userId)
SIGNED_UP_IN_WINDOW_SHARE = 0.3  # account holders whose signup falls inside the window
NEVER_IDENTIFIED_SHARE = 0.03  # devices kept unidentifiable on top of persons with no way to identify
SESSION_MARGIN = timedelta(hours=3)  # sessions start early enough to end inside the window
HOURS_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 9, 9, 8, 7, 6, 4, 3]


@dataclass(frozen=True, slots=True)
class Device:
    anonymous_id: str
    user_agent: str
    home_ip: str | None  # None for mobiles, which get a carrier address per session
    mode: str  # "login", "email" or "never"


@dataclass(slots=True)
class _Session:
    start: datetime
    click: Click | None = None
    auth: str | None = None  # "login" or "signup": the session that identifies the device


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def _random_ip(rng: random.Random) -> str:
    return f"{rng.choice([12, 23, 66, 72, 99, 107, 172, 174, 208])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


class WebWriter:
    def __init__(self, rng: random.Random, out_dir: Path, window_start: datetime, days: int) -> None:
        self._rng = rng
        self._start = window_start
        self._end = window_start + timedelta(days=days)
        self._days = [
            SortedSpool(out_dir / f"events-{(window_start + timedelta(days=d)):%Y-%m-%d}.jsonl") for d in range(days)
        ]
        self._orders = 0

    def plan_devices(self, person: Person, has_recipients: bool) -> tuple[list[Device], str | None]:
        """Decide the person's browsers and whether they hold an account, before email clicks are drawn."""
        rng = self._rng
        if rng.random() >= WEB_ACTIVE_SHARE:
            return [], None
        user_id = f"usr_{rng.getrandbits(48):012x}" if rng.random() < ACCOUNT_SHARE else None
        devices = []
        for index in range(rng.choices([1, 2, 3], weights=[60, 28, 12])[0]):
            roll = rng.random()
            if roll < NEVER_IDENTIFIED_SHARE:
                mode = "never"
            elif user_id and (index == 0 or roll < 0.8):
                mode = "login"
            elif has_recipients:
                mode = "email"
            else:
                mode = "login" if user_id else "never"
            mobile = index > 0 and rng.random() < 0.6
            agent = rng.choice(vocab.USER_AGENTS_MOBILE if mobile else vocab.USER_AGENTS_DESKTOP)
            home_ip = None if mobile else (person.household.ip if rng.random() < 0.6 else _random_ip(rng))
            devices.append(Device(_uuid(rng), agent, home_ip, mode))
        return devices, user_id

    def write_person(
        self, person: Person, devices: list[Device], user_id: str | None, clicks: list[Click]
    ) -> tuple[list[str], str | None]:
        """Write the person's events; returns the anonymousIds and the userId that actually appear."""
        rng = self._rng
        sessions: dict[str, list[_Session]] = {d.anonymous_id: [] for d in devices}
        email_devices = [d for d in devices if d.mode == "email"]
        reachable = [d for d in devices if d.mode != "never"]
        for index, click in enumerate(clicks):
            if index < len(email_devices):
                target = email_devices[index]
            elif reachable:
                target = rng.choice(reachable)
            else:
                break  # link opened somewhere tracking never sees
            sessions[target.anonymous_id].append(_Session(click.at + timedelta(seconds=rng.randint(2, 20)), click))
        for device in devices:
            device_sessions = sessions[device.anonymous_id]
            for _ in range(rng.choices([1, 2, 3], weights=[70, 20, 10])[0]):
                device_sessions.append(_Session(self._session_start()))
            device_sessions.sort(key=lambda s: s.start)
            if device.mode == "login" and user_id:
                device_sessions[rng.randrange(len(device_sessions))].auth = "login"
        logins = sorted((s for found in sessions.values() for s in found if s.auth), key=lambda s: s.start)
        if logins and rng.random() < SIGNED_UP_IN_WINDOW_SHARE:
            logins[0].auth = "signup"  # the account was created on the person's first login in the window
        for device in devices:
            current_user: str | None = None
            for session in sessions[device.anonymous_id]:
                current_user = self._write_session(device, session, current_user, person, user_id)
        return [d.anonymous_id for d in devices], (user_id if logins else None)

    def write_anonymous_visitor(self) -> str:
        """A browser that never identifies: a few pages over one or two sessions."""
        rng = self._rng
        mobile = rng.random() < 0.45
        device = Device(
            _uuid(rng),
            rng.choice(vocab.USER_AGENTS_MOBILE if mobile else vocab.USER_AGENTS_DESKTOP),
            None if mobile else _random_ip(rng),
            "never",
        )
        for start in sorted(self._session_start() for _ in range(rng.choices([1, 2], weights=[85, 15])[0])):
            self._write_session(device, _Session(start), None, None, None, max_pages=3)
        return device.anonymous_id

    def _session_start(self) -> datetime:
        rng = self._rng
        last_day = (self._end - SESSION_MARGIN - self._start).days
        day = self._start + timedelta(days=rng.randint(0, max(last_day, 0)))
        start = day + timedelta(hours=rng.choices(range(24), weights=HOURS_WEIGHTS)[0], seconds=rng.randint(0, 3599))
        return min(start, self._end - SESSION_MARGIN)

    def _write_session(
        self,
        device: Device,
        session: _Session,
        user: str | None,
        person: Person | None,
        user_id: str | None,
        max_pages: int = 6,
    ) -> str | None:
        """Emit one session's events; returns the userId in effect when it ends."""
        rng = self._rng
        at = session.start
        ip = device.home_ip or _random_ip(rng)
        base = {"ip": ip, "userAgent": device.user_agent}
        campaign: dict[str, str] | None = None
        if session.click is not None:
            url = session.click.landing_url
            path = session.click.campaign.link_path
            referrer = ""
            campaign = {
                "source": "mailchimp",
                "medium": "email",
                "name": session.click.campaign.slug,
                "term": "",
                "content": "",
            }
        else:
            path = weighted(rng, vocab.BROWSE_PATHS)
            url = vocab.SITE + path
            referrer = weighted(rng, vocab.REFERRERS)
            if rng.random() < 0.15:
                source, medium, name, term, content = rng.choice(vocab.UTM_CAMPAIGNS)
                campaign = {"source": source, "medium": medium, "name": name, "term": term, "content": content}
                url += f"?utm_source={source}&utm_medium={medium}&utm_campaign={name}"
                referrer = {
                    "google": "https://www.google.com/",
                    "linkedin": "https://www.linkedin.com/",
                    "facebook": "https://www.facebook.com/",
                }.get(source, referrer)

        def emit(kind: str, extra: dict[str, object]) -> None:
            nonlocal at
            context: dict[str, object] = {
                **base,
                "page": {
                    "url": url,
                    "path": path,
                    "referrer": referrer,
                    "title": vocab.PAGES.get(path, "Northwind Cloud"),
                },
            }
            if campaign and "?" in url:  # analytics.js reads UTM parameters from the current URL only
                context["campaign"] = campaign
            event = {
                "messageId": _uuid(rng),
                "type": kind,
                "anonymousId": device.anonymous_id,
                "userId": user,
                "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z",
                **extra,
                "context": context,
            }
            day = (at - self._start).days
            self._days[day].add(
                event["timestamp"] + event["messageId"], json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            )
            at += timedelta(seconds=rng.randint(2, 30))

        def page(new_path: str) -> None:
            nonlocal path, url, referrer, at
            if new_path != path or not url:
                referrer, path, url = url, new_path, vocab.SITE + new_path
            emit("page", {"properties": {}})
            at += timedelta(seconds=rng.randint(15, 240))

        page(path)
        for _ in range(min(rng.choices([0, 1, 2, 3], weights=[50, 25, 15, 10])[0], max_pages - 1)):
            page(weighted(rng, vocab.BROWSE_PATHS))
        if rng.random() < (0.25 if user else 0.1):
            product_id, name, price = rng.choice(vocab.PRODUCTS)
            page(f"/products/{product_id}")
            emit(
                "track",
                {
                    "event": "Product Viewed",
                    "properties": {"product_id": product_id, "name": name, "price": price, "currency": "USD"},
                },
            )
        if session.auth and person is not None and user_id:
            page("/signup" if session.auth == "signup" else "/login")
            if session.auth == "signup":
                emit("track", {"event": "Signed Up", "properties": {"plan": rng.choice(["free", "starter", "growth"])}})
            user = user_id
            emit("identify", {"properties": {}, "traits": self._traits(person)})
        if user and rng.random() < 0.12:
            product_id, name, price = rng.choice(vocab.PRODUCTS)
            quantity = rng.choice([1, 1, 1, 2, 3])
            page("/checkout")
            self._orders += 1
            emit(
                "track",
                {
                    "event": "Order Completed",
                    "properties": {
                        "order_id": f"ord_{self._orders:08d}",
                        "revenue": round(price * quantity, 2),
                        "currency": "USD",
                        "products": [{"product_id": product_id, "name": name, "price": price, "quantity": quantity}],
                    },
                },
            )
        return user

    def _traits(self, person: Person) -> dict[str, str]:
        rng = self._rng
        email = person.emails[0] if len(person.emails) == 1 or rng.random() < 0.75 else person.emails[1]
        traits = {"email": messy_email(rng, email).strip() if rng.random() < 0.05 else email}
        if rng.random() < 0.85:
            traits["firstName"], traits["lastName"] = person.first_name, person.last_name
        if rng.random() < 0.35:
            traits["phone"] = format_us_phone(rng, person.mobile)
        return traits

    def finish(self) -> dict[str, int]:
        return {f"web/{spool.target.name}": spool.finish() for spool in self._days}
