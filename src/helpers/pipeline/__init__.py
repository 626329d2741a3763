"""Pipeline: the settings contract, the build lock, the notebook runner and its pool, the pages, the site commands
make calls, the release. The top stage: it may import every other."""
