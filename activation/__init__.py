"""Activation (reverse ETL): segments out of the warehouse into files and tools."""
