"""A FEBRL/GeCo-style person-file corruptor, written apart from c360's own generator on purpose.

c360_generator/ shapes the data c360 was tuned on; this one follows the shape of the public
FEBRL benchmark files instead (rec-N-org / rec-N-dup-K ids, given_name, surname, street_number,
address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id; no email, no phone) and
corrupts duplicates the way GeCo does: keyboard-neighbour typos, OCR confusions (0/O, 1/l, 5/S),
phonetic respellings, swapped given name and surname, missing values, dates written in several
formats, and digit transpositions in ids. Places come from the `zipcodes` package (real US
city/zip/state triples); names from the short lists below.

    rows, truth = dedupe_file(n_people=2000, seed=1)       # one file with duplicates
    left, right = link_files(n_people=2500, seed=1)         # two files, one corrupted copy each
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import zipcodes


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COLUMNS = (
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)

GIVEN = _words(
    "james john robert michael william david richard joseph thomas charles christopher daniel matthew "
    "anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason "
    "jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel "
    "gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas "
    "zachary peter kyle noah ethan jeremy walter christian keith roger terry austin sean gerald carl harold "
    "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra "
    "margaret ashley kimberly emily donna michelle carol amanda melissa deborah stephanie dorothy rebecca "
    "sharon laura cynthia amy kathleen angela shirley brenda emma anna pamela nicole samantha katherine "
    "christine helen debra rachel carolyn janet maria catherine heather diane olivia julie joyce victoria "
    "ruth virginia lauren kelly christina joan evelyn judith andrea hannah megan cheryl jacqueline martha "
    "madison teresa gloria sara janice ann kathryn abigail sophia frances jean alice judy isabella julia "
    "grace amber denise danielle marilyn beverly charlotte natalie theresa diana brittany doris kayla "
    "alexis lori marie"
)
SURNAMES = _words(
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez "
    "wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark "
    "ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams "
    "nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker "
    "cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper "
    "peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james "
    "bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster "
    "jimenez powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales fisher "
    "vasquez simmons romero jordan patterson alexander hamilton graham reynolds griffin wallace moreno "
    "west cole hayes bryant herrera gibson ellis tran medina aguilar stevens murray ford castro marshall "
    "owens harrison fernandez mcdonald woods washington kennedy wells vargas henry chen freeman webb "
    "tucker guzman burns crawford olson simpson porter hunter gordon mendez silva shaw snyder mason "
    "dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose stone salazar fox warren "
    "mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver ryan gardner payne "
    "grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart bradley knight "
    "elliott cunningham duncan armstrong hudson carroll lane riley andrews alvarado ray delgado berry "
    "perkins hoffman johnston matthews pena richards willis carpenter lawrence sandoval"
)
STREETS = _words(
    "main oak pine maple cedar elm washington lake hill park walnut sunset lincoln jackson church "
    "highland river mill spring north south west east ridge forest meadow valley willow cherry chestnut "
    "adams jefferson madison franklin center union broad market water school"
)
STREET_TYPES = ("street", "avenue", "road", "drive", "lane", "court", "place", "boulevard", "way", "terrace")
UNITS = ("apt", "unit", "suite", "flat")

_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_OCR = (
    ("0", "o"),
    ("o", "0"),
    ("1", "l"),
    ("l", "1"),
    ("5", "s"),
    ("s", "5"),
    ("8", "b"),
    ("b", "8"),
    ("m", "rn"),
    ("rn", "m"),
    ("g", "q"),
    ("e", "c"),
)
_PHONETIC = (
    ("ph", "f"),
    ("f", "ph"),
    ("ck", "k"),
    ("c", "k"),
    ("k", "c"),
    ("ie", "y"),
    ("y", "ie"),
    ("ee", "ea"),
    ("ea", "ee"),
    ("z", "s"),
    ("s", "z"),
    ("th", "t"),
    ("w", "v"),
    ("mm", "m"),
    ("ll", "l"),
    ("tt", "t"),
    ("ou", "ow"),
    ("ei", "ie"),
    ("sch", "sh"),
    ("x", "ks"),
)
DATE_STYLES = ("%Y%m%d", "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")  # no month-first: it cannot share a column


def _neighbours(char: str) -> str:
    for row_index, row in enumerate(_KEYBOARD):
        col = row.find(char)
        if col >= 0:
            around = row[max(col - 1, 0) : col] + row[col + 1 : col + 2]
            for other in (row_index - 1, row_index + 1):
                if 0 <= other < len(_KEYBOARD):
                    around += _KEYBOARD[other][max(col - 1, 0) : col + 1]
            return around
    return "0123456789" if char.isdigit() else char


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: a neighbouring key, a dropped, doubled or swapped letter."""
    if len(text) < 2:
        return text
    i = rng.randrange(len(text))
    kind = rng.random()
    if kind < 0.45:
        return text[:i] + rng.choice(_neighbours(text[i])) + text[i + 1 :]
    if kind < 0.65:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    i = min(i, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _substitute(rng: random.Random, text: str, table: tuple[tuple[str, str], ...]) -> str:
    options = [(a, b) for a, b in table if a in text]
    if not options:
        return typo(rng, text)
    a, b = rng.choice(options)
    at = rng.choice([i for i in range(len(text)) if text.startswith(a, i)])
    return text[:at] + b + text[at + len(a) :]


def ocr(rng: random.Random, text: str) -> str:
    return _substitute(rng, text, _OCR)


def phonetic(rng: random.Random, text: str) -> str:
    return _substitute(rng, text, _PHONETIC)


def transpose_digits(rng: random.Random, digits: str) -> str:
    if len(digits) < 2:
        return digits
    i = rng.randrange(len(digits) - 1)
    return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


class _People:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ids = self.rng.sample(range(1000000, 10000000), 250000)  # one per person, as a national id
        self.places = [
            (z["city"].lower(), z["zip_code"], z["state"])
            for z in zipcodes.list_all()
            if z["zip_code_type"] == "STANDARD"
        ]

    def person(self, number: int) -> dict[str, object]:
        rng = self.rng
        city, postcode, state = rng.choice(self.places)
        return {
            "rec_id": f"rec-{number}-org",
            "given_name": rng.choice(GIVEN),
            "surname": rng.choice(SURNAMES),
            "street_number": str(rng.choice((rng.randint(1, 99), rng.randint(1, 9999)))),
            "address_1": f"{rng.choice(STREETS)} {rng.choice(STREET_TYPES)}",
            "address_2": f"{rng.choice(UNITS)} {rng.randint(1, 40)}" if rng.random() < 0.2 else "",
            "suburb": city,
            "postcode": postcode,
            "state": state.lower(),
            "date_of_birth": date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 75)),
            "soc_sec_id": str(self.ids[number]),
        }


_TEXT_FIELDS = ("given_name", "surname", "address_1", "suburb")
# a duplicate may lose any value but its record id and surname
_BLANKABLE_FIELDS = tuple(column for column in COLUMNS if column not in ("rec_id", "surname"))


def corrupt(rng: random.Random, person: dict[str, object], rec_id: str, edits: int) -> dict[str, object]:
    """A duplicate of `person` with `edits` GeCo-style modifications (FEBRL's default is up to 3)."""
    row = dict(person, rec_id=rec_id)
    text_edits: tuple[Callable[[random.Random, str], str], ...] = (typo, typo, ocr, phonetic)
    for _ in range(edits):
        kind = rng.random()
        if kind < 0.55:
            field = rng.choice(_TEXT_FIELDS)
            if row[field]:
                row[field] = rng.choice(text_edits)(rng, str(row[field]))
        elif kind < 0.62:
            row["given_name"], row["surname"] = row["surname"], row["given_name"]
        elif kind < 0.74:
            row[rng.choice(_BLANKABLE_FIELDS)] = ""
        elif kind < 0.82 and row["date_of_birth"]:
            born = row["date_of_birth"]
            row["date_of_birth"] = rng.choice(
                (
                    born.replace(day=min(born.month, 28), month=min(born.day, 12)),  # day and month swapped
                    born + timedelta(days=rng.choice((-1, 1, -365, 365))),
                    born.replace(year=born.year + rng.choice((-10, 10))) if born.day < 29 else born,
                )
            )
        elif kind < 0.92 and row["soc_sec_id"]:
            ssn = str(row["soc_sec_id"])
            row["soc_sec_id"] = transpose_digits(rng, ssn) if rng.random() < 0.6 else typo(rng, ssn)
        else:
            field = rng.choice(("postcode", "street_number"))
            if row[field]:
                row[field] = rng.choice((typo, ocr, transpose_digits))(rng, str(row[field]))
    return row


def _write_dates(rng: random.Random, rows: list[dict[str, object]], styles: tuple[str, ...]) -> None:
    for row in rows:
        born = row["date_of_birth"]
        row["date_of_birth"] = born.strftime(rng.choice(styles)) if isinstance(born, date) else ""


def dedupe_file(
    n_people: int, seed: int, duplicate_share: float = 0.5, max_duplicates: int = 3, max_edits: int = 3
) -> list[dict[str, object]]:
    """One file: every person once, half of them with 1..3 corrupted duplicates, shuffled."""
    people = _People(seed)
    rng = people.rng
    rows = []
    for number in range(n_people):
        person = people.person(number)
        rows.append(person)
        if rng.random() < duplicate_share:
            for k in range(rng.randint(1, max_duplicates)):
                rows.append(corrupt(rng, person, f"rec-{number}-dup-{k}", rng.randint(1, max_edits)))
    _write_dates(rng, rows, DATE_STYLES)
    rng.shuffle(rows)
    return rows


def link_files(
    n_people: int,
    seed: int,
    overlap: float = 0.8,
    max_edits: int = 3,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Two files without duplicates inside: A holds everyone, B a corrupted copy of `overlap` of
    them plus new people; both write YYYYMMDD dates, as FEBRL's link files do."""
    people = _People(seed)
    rng = people.rng
    left, right = [], []
    for number in range(n_people):
        person = people.person(number)
        left.append(person)
        if rng.random() < overlap:
            right.append(corrupt(rng, person, f"rec-{number}-dup-0", rng.randint(1, max_edits)))
        else:
            right.append(people.person(n_people + number))
    _write_dates(rng, left, ("%Y%m%d",))
    _write_dates(rng, right, ("%Y%m%d",))
    rng.shuffle(left)
    rng.shuffle(right)
    return left, right


def entity_of(rec_id: str) -> str:
    """FEBRL ids carry the truth: rec-12-org and rec-12-dup-0 are person 12."""
    return rec_id.split("-")[1]


def write_csv(rows: list[dict[str, object]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


FEBRL_MAPPING = (
    "record_id=rec_id,first_name=given_name,last_name=surname,street_number=street_number,"
    "street=address_1,address_2=address_2,city=suburb,postcode=postcode,state=state,"
    "dob=date_of_birth"
)
