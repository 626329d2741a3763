"""Build: the parameter contract, the notebook runner and its queue, the site commands make calls.
The top layer: it may import every other.
"""

