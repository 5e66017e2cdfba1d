"""Right to be forgotten: erase a person from every warehouse table and keep them out of later loads."""
