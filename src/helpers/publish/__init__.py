"""Publish: what a page shows: words, charts, tables, provenance lines, citations. Imports `analysis`
and below; the renderers that turn pages into a site are the next stage, `render`.
"""


REPORT_KEY = "report"  # the output metadata (caption, alt text) the runner and the renderers read
