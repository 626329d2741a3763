"""Acquire: what Eurostat and the OECD (or a mirror) send, received and read as it came: the API clients,
their one retry policy, Eurostat's guard and faults, the mirror, the parsers. Imports only `base` and `catalogue`.
"""
