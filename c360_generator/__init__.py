"""Deterministic sample-data generator: landing files for every source plus the identity ground truth."""

from c360_generator.run import generate, main

__all__ = ["generate", "main"]
