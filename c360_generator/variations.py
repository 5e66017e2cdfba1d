"""The ways the same fact gets written differently across tools and by different hands.

Identity resolution is only worth measuring if records of one person disagree the way
real records do: nicknames, typos, accents dropped, phones in five formats, emails in
odd case with stray whitespace.
"""

from __future__ import annotations

import random
import unicodedata

from c360_generator.vocab import NICKNAMES

_KEYBOARD_NEIGHBOURS = {
    "a": "qsz",
    "b": "vgn",
    "c": "xdv",
    "d": "sfe",
    "e": "wrd",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "i": "uok",
    "j": "hku",
    "k": "jli",
    "l": "kop",
    "m": "nj",
    "n": "bmh",
    "o": "ipl",
    "p": "ol",
    "q": "wa",
    "r": "etf",
    "s": "adw",
    "t": "ryg",
    "u": "yij",
    "v": "cbf",
    "w": "qes",
    "x": "zcs",
    "y": "tuh",
    "z": "xa",
}


def ascii_fold(text: str) -> str:
    """Drop accents (José -> Jose) the way many forms and email local parts do."""
    folded = unicodedata.normalize(
        "NFKD",
        text.replace("ß", "ss")
        .replace("ø", "o")
        .replace("Ø", "O")
        .replace("ł", "l")
        .replace("Ł", "L")
        .replace("ı", "i"),
    )
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def email_token(name: str) -> str:
    """Name as it appears inside an email local part: ASCII, lowercase, letters and hyphens only."""
    return "".join(ch for ch in ascii_fold(name).lower() if ch.isalnum() or ch == "-")


def typo(rng: random.Random, name: str) -> str:
    """One realistic keystroke error; names shorter than 4 letters are left alone to stay recognisable."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # transposition
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:  # deletion
        return name[:i] + name[i + 1 :]
    if kind == 2:  # doubled letter
        return name[:i] + name[i] + name[i:]
    neighbours = _KEYBOARD_NEIGHBOURS.get(name[i].lower())
    if not neighbours:
        return name[:i] + name[i + 1 :]
    return name[:i] + rng.choice(neighbours) + name[i + 1 :]


def nickname(rng: random.Random, first: str) -> str | None:
    options = NICKNAMES.get(first)
    return rng.choice(options) if options else None


def format_us_phone(rng: random.Random, digits: str) -> str:
    """A 10-digit US number in one of the formats people and tools actually store."""
    a, e, line = digits[:3], digits[3:6], digits[6:]
    return rng.choice(
        [
            f"+1 {a}-{e}-{line}",
            f"({a}) {e} {line}",
            f"({a}) {e}-{line}",
            f"{a}{e}{line}",
            f"001 {a} {e} {line}",
            f"{a}.{e}.{line}",
            f"+1{a}{e}{line}",
            f"1-{a}-{e}-{line}",
            f"{a}-{e}-{line}",
        ]
    )


def messy_email(rng: random.Random, email: str) -> str:
    """Same mailbox, different spelling: capitalised parts and stray whitespace from copy-paste."""
    local, domain = email.split("@", 1)
    styled_local = ".".join(part.capitalize() for part in local.split("."))
    variant = rng.choice(
        [
            f"{styled_local}@{domain.capitalize()}",
            email.upper(),
            f" {email}",
            f"{email} ",
            f" {styled_local}@{domain.capitalize()}",
            f"{styled_local}@{domain}",
        ]
    )
    return variant
