"""The one email normalisation every source applies, so raw tables agree on what "same address" means.

The identity stage applies stricter matching rules on top; this only trims and lower-cases while
the raw value is kept in its own column.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def normalize_emails(emails: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Trim whitespace and lower-case; blanks become null so they never match each other."""
    cleaned = pc.utf8_lower(pc.utf8_trim_whitespace(emails.cast(pa.string())))
    return pc.if_else(pc.equal(cleaned, ""), pa.scalar(None, pa.string()), cleaned)
