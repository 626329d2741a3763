"""Publish: what readers see: words, charts, tables, provenance lines, citations, and the two
renderers of the site. Imports `analysis` and below.
"""


REPORT_KEY = "report"  # the output metadata (caption, alt text) the runner and the renderers read
