"""Base: what every stage uses (errors for people, atomic writes, Jupyter's imports). Imports nothing
of the project.
"""
