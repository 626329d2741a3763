"""Reproducing the Eurostat-based comparisons of Mickoleit (2014), OECD, from Eurostat's ICT usage survey.

Data flows one way: ``data/raw`` (as fetched) -> ``data/processed`` (tidy, validated)
-> notebooks (analysis, figures) -> ``report/`` (rendered). Each module owns one step.
"""

__version__ = "0.1.0"
