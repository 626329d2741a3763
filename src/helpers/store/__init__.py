"""Store: ``data/raw`` replaced only by data that makes a valid store, the tidy store built from it, the
data lock and the revisions between two stores. Imports `acquire` and below.
"""
