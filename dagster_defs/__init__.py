"""Dagster definitions for c360: every stage as assets in one `Definitions`."""
