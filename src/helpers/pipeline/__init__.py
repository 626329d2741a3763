"""Pipeline: the settings contract, the build lock, the notebook command, runner and pool, the warm
worker, the site commands make calls. The top stage: it may import every other.
"""
