"""Publish: what a page shows: words, charts, tables, provenance lines, citations. Imports `analysis`
and below; the renderers that turn pages into a site are the next stage, `render`.
"""

REPORT_KEY = "report"  # the output metadata (caption, alt text) the runner and the renderers read


# Set to "1" by the runner in the environment of the kernels it starts (and nowhere else): outputs are
# then the Markdown the build's renderers read (Quarto's callouts and classed spans); without it (a
# notebook run by hand in JupyterLab) they are Markdown a notebook front end renders.
# (helpers.publish.outputs.for_renderers)
BUILD_VARIABLE = "OECD_REPORT_BUILD"
