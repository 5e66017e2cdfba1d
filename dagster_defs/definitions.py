"""What `dagster dev` loads (see [tool.dagster] in pyproject.toml): paths come from the environment."""

from c360.settings import Settings
from dagster_defs.build import build_definitions

defs = build_definitions(Settings.from_env())
