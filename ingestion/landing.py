"""Finding landing files and reading them as text, with one clear error per unreadable file."""
from __future__ import annotations

import fnmatch
import gzip
import hashlib
import zlib
from pathlib import Path
from typing import Sequence


class UnreadableFile(Exception):
    """The whole file cannot be read; the message names the file and what to fix."""


def name_matches(file_name: str, patterns: Sequence[str]) -> bool:
    """Glob match ignoring case: exports arrive as contacts.csv, Contacts.CSV or CONTACT_2026.csv."""
    return any(fnmatch.fnmatch(file_name.lower(), pattern.lower()) for pattern in patterns)


def discover(landing_dir: Path, patterns: Sequence[str]) -> list[Path]:
    """Files matching any pattern, in the folder and its subfolders (Segment's archive layout, dated
    folders), oldest first so a later export of the same record merges last."""
    if not landing_dir.is_dir():
        return []
    found = [
        path
        for path in landing_dir.rglob("*")
        if path.is_file() and name_matches(path.name, patterns)
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def content_hash(raw: bytes) -> str:
    """Content address of a landed file: a renamed copy has the same hash and is not loaded twice."""
    return hashlib.sha256(raw).hexdigest()


def decode(path: Path, raw: bytes) -> str:
    """Decompress `.gz` and decode UTF-8 (a leading BOM dropped), or raise `UnreadableFile`."""
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise UnreadableFile(
                f"{path.name}: truncated or corrupt gzip file ({exc}); re-copy or re-export it"
            ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"{path.name}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start});"
            " re-export the file as UTF-8"
        ) from exc
    return text[1:] if text.startswith("\ufeff") else text


# DuckDB's readers refuse longer lines; a 10 MB single-line record is well inside this
MAX_LINE_BYTES = 64 * 1024 * 1024


def physical_lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def starts_with_bom(path: Path) -> bool:
    """Whether the (decompressed) file starts with a UTF-8 BOM, which `decode` drops but DuckDB's readers keep."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as head:
        return head.read(3) == b"\xef\xbb\xbf"
