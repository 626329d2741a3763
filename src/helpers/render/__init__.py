"""Render: what turns executed notebooks into a site and an article: the Quarto renderer, the fallback renderer, the
site configuration, the article and the cell options both renderers read. Imports `publish` and below."""
