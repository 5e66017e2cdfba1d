"""Finding landing files (recursively, inside `.zip` archives too) and decoding them to text.

Every file under a landing folder is a `LandingFile`: a plain file, or one member of a `.zip`
archive (vendors ship whole exports as zips: Salesforce's weekly Data Export, Mailchimp's
account export). A `.gz` file is one compressed file. Which entity a file belongs to is decided
by its base name with the compression suffix dropped, so `contacts*.csv` also claims
`2026-09/contacts.csv.gz` and `export.zip/contacts.csv`; files no pattern claims are reported
as `unmatched` (ingestion.file_loop), never skipped in silence.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from charset_normalizer import from_bytes

from ingestion.records import Reject

COMPRESSED = (".gz",)
ARCHIVES = (".zip",)
BINARY_FORMATS = (".xlsx",)  # read from bytes by their own reader, never decoded as text
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnreadableFile(Exception):
    """The whole file cannot be read; the message names the file and what to fix."""


@dataclass(frozen=True)
class LandingFile:
    """One file to load: `path` on disk, and for a zip member the member's name inside it."""

    path: Path
    name: str  # what the load report calls it: the path relative to the landing folder (+ /member)
    member: str | None = None

    @property
    def base_name(self) -> str:
        """The file's own name without folders and without a `.gz` suffix: what patterns match."""
        return base_name(self.member or self.path.name)

    @property
    def is_binary(self) -> bool:
        return self.base_name.lower().endswith(BINARY_FORMATS)

    def head(self, size: int) -> bytes:
        """The first `size` bytes of the file's (decompressed) content, to look at its header."""
        if self.member is not None:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as member:
                return member.read(size)
        opener = gzip.open if PurePosixPath(self.path.name).name.lower().endswith(COMPRESSED) else open
        with opener(self.path, "rb") as stream:
            return stream.read(size)

    def read_bytes(self) -> bytes:
        """The stored bytes (still gzip-compressed for `.gz`); a zip member's uncompressed bytes."""
        if self.member is None:
            return self.path.read_bytes()
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self.member)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise UnreadableFile(f"{self.name}: corrupt zip member ({exc}); re-copy or re-export the archive") from exc


def base_name(name: str) -> str:
    """`2026-09/contacts.csv.gz` -> `contacts.csv`: a file's own name, uncompressed."""
    base = PurePosixPath(name).name
    return base[: -len(".gz")] if base.lower().endswith(COMPRESSED) else base


def name_matches(file_name: str, patterns: Sequence[str]) -> bool:
    """Glob match ignoring case: exports arrive as contacts.csv, Contacts.CSV or CONTACT_2026.csv."""
    return any(fnmatch.fnmatch(file_name.lower(), pattern.lower()) for pattern in patterns)


def matches(file_name: str, patterns: Sequence[str]) -> bool:
    """Patterns match a file's own name (folders and zip dropped) without `.gz`, or with it (e.g. `*.log.gz`).

    A pattern with a `/` matches the file's path in the landing folder instead (zip members included,
    `*` crossing folders), for exports that name a folder, not their files: `*granular_activity/*.csv`.
    """
    own = PurePosixPath(file_name).name
    names = [p for p in patterns if "/" not in p]
    paths = [p for p in patterns if "/" in p]
    uncompressed = file_name[: len(file_name) - len(own)] + base_name(own)
    return (
        name_matches(base_name(own), names)
        or name_matches(own, names)
        or name_matches(uncompressed, paths)
        or name_matches(file_name, paths)
    )


def discover_all(landing_dir: Path) -> list[LandingFile]:
    """Every file under `landing_dir` (subfolders and zip members included), oldest first.

    Oldest first (then by name) so a later export of the same record merges last. A zip that
    cannot be opened (or is empty) is returned as itself, so it is reported, not skipped.
    """
    if not landing_dir.is_dir():
        return []
    found: list[tuple[int, str, LandingFile]] = []
    for path in landing_dir.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(landing_dir).as_posix()
        mtime = path.stat().st_mtime_ns
        members = _zip_members(path) if path.name.lower().endswith(ARCHIVES) else []
        for member in members:
            found.append((mtime, f"{relative}/{member}", LandingFile(path, f"{relative}/{member}", member)))
        if not members:  # not an archive, or one that cannot be opened: reported as itself
            found.append((mtime, relative, LandingFile(path, relative)))
    return [file for _, _, file in sorted(found, key=lambda item: (item[0], item[1]))]


# (claimant, file) -> whether the file's content is this claimant's: asked only when several claimants' patterns match
Tiebreak = Callable[[str, "LandingFile"], bool]


def claim(
    files: Sequence[LandingFile],
    claims: Mapping[str, Sequence[str]],
    tiebreak: Tiebreak | None = None,
    gate: Tiebreak | None = None,
) -> dict[str | None, list[LandingFile]]:
    """Each file to one claimant whose patterns match it (and that `gate` lets take it); the rest under ``None``.

    When several match (Salesforce names every report export `report<epoch>.csv`), the first that
    `tiebreak` accepts (e.g. by the file's header) wins, else the first in declaration order. One
    claimant per file, so a file matching two entities' patterns is never loaded twice.
    """
    claimed: dict = {name: [] for name in claims}
    claimed[None] = []
    for file in files:
        owners = [name for name, patterns in claims.items() if matches(file.name, patterns)]
        if gate is not None:
            owners = [owner for owner in owners if gate(owner, file)]
        if len(owners) > 1 and tiebreak is not None:
            owners = [owner for owner in owners if tiebreak(owner, file)] or owners
        claimed[owners[0] if owners else None].append(file)
    return claimed


def still_landed(landing_dir: Path, name: str) -> bool:
    """Whether the file a load report calls `name` (see `LandingFile.name`) is still in `landing_dir`:
    the file itself, or for a zip member (`export.zip/contacts.csv`) the archive still holding it."""
    if (landing_dir / name).is_file():
        return True
    parts = PurePosixPath(name).parts
    for depth, part in enumerate(parts[:-1], 1):
        archive = landing_dir.joinpath(*parts[:depth])
        if part.lower().endswith(ARCHIVES) and archive.is_file():
            return "/".join(parts[depth:]) in _zip_members(archive)
    return False


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError):
        return []


@dataclass(frozen=True)
class Landing:
    """A source's landing folder and, per resource, the file patterns it claims (first claimant wins).

    A source declares its resources' patterns here (from its mapping YAML or its own module);
    the first resource also reports the files nobody claims, so each appears once as `unmatched`.
    """

    root: Path
    claims: Mapping[str, Sequence[str]]
    tiebreak: Tiebreak | None = None
    gate: Tiebreak | None = None  # whether a claimant whose patterns match a file takes it (e.g. by its header)

    def files(self) -> dict[str | None, list[LandingFile]]:
        return claim(discover_all(self.root), self.claims, self.tiebreak, self.gate)

    def reports_unmatched(self, resource: str) -> bool:
        return next(iter(self.claims), None) == resource


def content_hash(raw: bytes) -> str:
    """Content address of a landed file: a renamed copy has the same hash and is not loaded twice."""
    return hashlib.sha256(raw).hexdigest()


def decompress(file: LandingFile, raw: bytes) -> bytes:
    if not PurePosixPath(file.member or file.path.name).name.lower().endswith(COMPRESSED):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise UnreadableFile(f"{file.name}: truncated or corrupt gzip file ({exc}); re-copy or re-export it") from exc


@dataclass
class Decoded:
    """A file's text, the encoding it was read with, and the lines refused for undecodable bytes.

    Refused lines are left in the text as empty lines, so every later line keeps its number.
    """

    text: str
    encoding: str
    rejects: list[Reject] = field(default_factory=list)


def decode(name: str, data: bytes, declared: str | None = None, candidates: Sequence[str] = ("cp1252",)) -> Decoded:
    """Decode a (decompressed) text file: a BOM decides, then a declared encoding, then UTF-8.

    A file that is not UTF-8 is either UTF-8 with stray bytes (some of its non-ASCII lines are
    valid UTF-8: only the bad lines are refused) or a legacy single-byte export, whose encoding
    charset-normalizer picks among `candidates` (config/ingestion.yml).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _by_line(name, data[3:], "utf-8")
    if data.startswith(UTF16_BOMS):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{name}: not valid UTF-16 ({exc.reason} at byte {exc.start}); re-export it") from exc
    if declared:
        return _by_line(name, data, declared)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if _has_utf8_text(data):
        return _by_line(name, data, "utf-8")
    guess = from_bytes(data, cp_isolation=list(candidates)).best()
    return _by_line(name, data, guess.encoding if guess is not None else candidates[0])


def _has_utf8_text(data: bytes) -> bool:
    """Whether some line holds valid multi-byte UTF-8: then the file is UTF-8 with stray bytes."""
    for line in data.split(b"\n"):
        if not line.isascii():
            try:
                line.decode("utf-8")
                return True
            except UnicodeDecodeError:
                continue
    return False


def _by_line(name: str, data: bytes, encoding: str) -> Decoded:
    """Decode line by line: a line with a byte `encoding` cannot decode is refused, the others kept."""
    try:
        return Decoded(data.decode(encoding), encoding)
    except LookupError as exc:
        raise UnreadableFile(f"{name}: unknown encoding {encoding!r}; fix `encoding:` in the mapping") from exc
    except UnicodeDecodeError:
        pass
    lines, rejects = [], []
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(line.decode(encoding))
        except UnicodeDecodeError as exc:
            lines.append("")
            rejects.append(
                Reject(
                    number,
                    line.decode(encoding, errors="backslashreplace").rstrip("\r"),
                    f"undecodable byte 0x{line[exc.start]:02x} at position {exc.start + 1} (file read as {encoding})",
                )
            )
    return Decoded("\n".join(lines), encoding, rejects)


# DuckDB's readers refuse longer lines; a 10 MB single-line record is well inside this
MAX_LINE_BYTES = 64 * 1024 * 1024


def physical_lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def starts_with_bom(path: Path) -> bool:
    """Whether the (decompressed) file starts with a UTF-8 BOM, which `decode` drops but DuckDB's readers keep."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as head:
        return head.read(3) == b"\xef\xbb\xbf"
