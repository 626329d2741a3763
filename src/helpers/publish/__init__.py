"""Publish: what readers see: words, charts, tables, provenance lines, citations, and the two
renderers of the site. Imports `analysis` and below.
"""

