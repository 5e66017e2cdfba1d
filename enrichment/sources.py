"""Each enriched value names the package (and version) whose shipped data produced it."""

from __future__ import annotations

import functools
from importlib.metadata import version


@functools.cache
def package_source(distribution: str) -> str:
    return f"{distribution} {version(distribution)}"
