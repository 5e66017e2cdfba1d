"""Mailchimp-shaped email tool: campaigns and per-recipient activity.

Clicks are returned to the caller because each click lands on the website with
`mc_eid=<recipient id>`, which is how an anonymous browser gets stitched to an address.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from c360_generator import vocab
from c360_generator.people import Person
from c360_generator.spool import SortedSpool, csv_line
from c360_generator.variations import ascii_fold, messy_email, nickname

CAMPAIGN_HEADER = "Campaign ID,Campaign Name,Subject,Send Time"
ACTIVITY_HEADER = "Recipient ID,Email Address,First Name,Last Name,Campaign ID,Action,Timestamp,URL,Bounce Type"
SUBSCRIBED_SHARE = 0.7
BOTH_ADDRESSES_SHARE = 0.25  # subscribers with two addresses who are on the list twice
MESSY_ADDRESS_SHARE = 0.06
TS = "%Y-%m-%d %H:%M:%S"
LAST_CLICK_MARGIN = timedelta(hours=3)  # a landing session must fit inside the window


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    name: str
    subject: str
    send_time: datetime
    audience_share: float
    link_path: str
    slug: str

    @property
    def link(self) -> str:
        return f"{vocab.SITE}{self.link_path}?utm_source=mailchimp&utm_medium=email&utm_campaign={self.slug}"


@dataclass(frozen=True, slots=True)
class Recipient:
    recipient_id: str
    address: str  # as the list stores it, case and whitespace included
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class Click:
    at: datetime
    recipient: Recipient
    campaign: Campaign

    @property
    def landing_url(self) -> str:
        return f"{self.campaign.link}&mc_cid={self.campaign.campaign_id}&mc_eid={self.recipient.recipient_id}"


@dataclass(slots=True)
class _Send:
    recipient: Recipient
    campaign: Campaign
    sent_at: datetime
    bounce: str = ""
    opens: list[datetime] = field(default_factory=list)
    click_at: datetime | None = None
    exit_action: str = ""  # unsubscribe or spam, after the last open


def _hex_id(rng: random.Random, used: set[str]) -> str:
    while True:
        value = f"{rng.getrandbits(40):010x}"
        if value not in used:
            used.add(value)
            return value


def make_campaigns(rng: random.Random, window_start: datetime, days: int) -> list[Campaign]:
    used: set[str] = set()
    campaigns = []
    for index, (name, subject, share) in enumerate(vocab.CAMPAIGNS):
        day = int(index * max(days - 3, 0) / len(vocab.CAMPAIGNS))
        send_time = window_start + timedelta(days=day, hours=14, minutes=rng.randint(0, 120))
        slug = "-".join(ascii_fold(name).lower().replace(":", "").split())
        campaigns.append(
            Campaign(
                _hex_id(rng, used),
                name,
                subject,
                send_time,
                share,
                vocab.CAMPAIGN_LINK_PATHS[index % len(vocab.CAMPAIGN_LINK_PATHS)],
                slug,
            )
        )
    return campaigns


class MailWriter:
    def __init__(self, rng: random.Random, out_dir: Path, campaigns: list[Campaign], window_end: datetime) -> None:
        self._rng = rng
        self._campaigns = campaigns
        self._end = window_end
        self._used_ids: set[str] = set()
        self._activity = SortedSpool(out_dir / "activity.csv", ACTIVITY_HEADER)
        with (out_dir / "campaigns.csv").open("w", encoding="utf-8", newline="") as handle:
            handle.write(CAMPAIGN_HEADER + "\n")
            writer = csv.writer(handle, lineterminator="\n")
            for campaign in campaigns:
                writer.writerow(
                    [campaign.campaign_id, campaign.name, campaign.subject, campaign.send_time.strftime(TS)]
                )

    def subscribe(self, person: Person) -> list[Recipient]:
        """The person's list memberships: none, one address, or (sometimes) both of their addresses."""
        rng = self._rng
        if rng.random() >= SUBSCRIBED_SHARE:
            return []
        addresses = list(person.emails)
        if len(addresses) > 1 and rng.random() >= BOTH_ADDRESSES_SHARE:
            addresses = [addresses[0] if rng.random() < 0.85 else addresses[1]]
        recipients = []
        for address in addresses:
            if rng.random() < MESSY_ADDRESS_SHARE:
                address = messy_email(rng, address)
            roll = rng.random()
            if roll < 0.10:
                first, last = "", ""
            elif roll < 0.18:
                first, last = nickname(rng, person.first_name) or person.first_name, person.last_name
            elif roll < 0.23:
                first, last = ascii_fold(person.first_name), ascii_fold(person.last_name)
            else:
                first, last = person.first_name, person.last_name
            recipients.append(Recipient(_hex_id(rng, self._used_ids), address, first, last))
        return recipients

    def write_activity(self, recipients: list[Recipient], required_clicks: int) -> list[Click]:
        """Write every action for the person's recipients; guarantees `required_clicks` clicks when possible."""
        rng = self._rng
        sends: list[_Send] = []
        open_rate = rng.choice([0.05, 0.2, 0.45, 0.7])
        for recipient in recipients:
            for index, campaign in enumerate(self._campaigns):
                if index > 0 and rng.random() >= campaign.audience_share:
                    continue
                send = _Send(recipient, campaign, campaign.send_time + timedelta(seconds=rng.randint(0, 900)))
                sends.append(send)
                if self._simulate(send, open_rate):
                    break  # hard bounce, unsubscribe or spam complaint: no further campaigns
        clickable = [
            s
            for s in sends
            if not s.bounce and s.click_at is None and s.sent_at + timedelta(minutes=10) < self._end - LAST_CLICK_MARGIN
        ]
        missing = required_clicks - sum(1 for s in sends if s.click_at is not None)
        for send in rng.sample(clickable, k=min(max(missing, 0), len(clickable))):
            if not send.opens:
                send.opens.append(send.sent_at + timedelta(seconds=rng.randint(60, 3600)))
            send.click_at = send.opens[0] + timedelta(seconds=rng.randint(5, 300))
        for send in sends:
            self._emit(send)
        return sorted(
            (
                Click(s.click_at, s.recipient, s.campaign)
                for s in sends
                if s.click_at is not None and s.click_at < self._end - LAST_CLICK_MARGIN
            ),
            key=lambda c: (c.at, c.recipient.recipient_id),
        )

    def _simulate(self, send: _Send, open_rate: float) -> bool:
        """Fill in what happened to one delivery; True when the address leaves the list."""
        rng = self._rng
        roll = rng.random()
        if roll < 0.006:
            send.bounce = "hard"
            return True
        if roll < 0.025:
            send.bounce = "soft"
            return False
        if rng.random() >= open_rate:
            return False
        first_open = send.sent_at + timedelta(seconds=int(rng.expovariate(1 / 14400)) + 30)
        send.opens.append(first_open)
        if rng.random() < 0.25:
            send.opens.append(first_open + timedelta(seconds=rng.randint(600, 172800)))
        if rng.random() < 0.22:
            send.click_at = first_open + timedelta(seconds=rng.randint(5, 300))
        exit_roll = rng.random()
        if exit_roll < 0.012:
            send.exit_action = "unsubscribe"
        elif exit_roll < 0.014:
            send.exit_action = "spam"
        return bool(send.exit_action)

    def _emit(self, send: _Send) -> None:
        events: list[tuple[str, datetime, str, str]] = [("sent", send.sent_at, "", "")]
        if send.bounce:
            events.append(("bounce", send.sent_at + timedelta(seconds=self._rng.randint(5, 600)), "", send.bounce))
        events += [("open", at, "", "") for at in send.opens]
        if send.click_at is not None:
            events.append(("click", send.click_at, send.campaign.link, ""))
        if send.exit_action:
            last = max([send.sent_at, *send.opens, *([send.click_at] if send.click_at else [])])
            events.append((send.exit_action, last + timedelta(seconds=self._rng.randint(10, 900)), "", ""))
        recipient, campaign = send.recipient, send.campaign
        for action, at, url, bounce_type in events:
            if at >= self._end:
                continue
            stamp = at.strftime(TS)
            self._activity.add(
                f"{campaign.send_time.strftime(TS)} {campaign.campaign_id} {stamp} {recipient.recipient_id} {action}",
                csv_line(
                    [
                        recipient.recipient_id,
                        recipient.address,
                        recipient.first_name,
                        recipient.last_name,
                        campaign.campaign_id,
                        action,
                        stamp,
                        url,
                        bounce_type,
                    ]
                ),
            )

    def finish(self) -> dict[str, int]:
        return {"email/campaigns.csv": len(self._campaigns), "email/activity.csv": self._activity.finish()}
