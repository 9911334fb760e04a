"""Batch audits: each county or dataset a unit with its own verdict, a roll-up of all units."""
