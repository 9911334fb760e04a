"""exitcheck: audit poverty-exit eligibility (脱贫退出核查) in registered-poverty household data."""

__version__ = "0.1.0"
