"""Shipped rule files, field catalogue and parameters (YAML). Installed as exitcheck.rulesets."""
