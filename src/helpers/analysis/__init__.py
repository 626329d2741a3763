"""Analysis: the paper's comparisons and claims recomputed from the tidy store. Imports `store` and
below; never the words of the pages (`publish`).
"""
