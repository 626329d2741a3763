"""Acquire: what Eurostat (or a mirror) sends, received and read as it came: the API client, its
guard and faults, the mirror, the TSV parser. Imports only `base` and `catalogue`.
"""
