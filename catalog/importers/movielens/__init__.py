"""MovieLens datasets for the catalogue: `formats` reads a folder, `titles` makes its films.

The viewers and ratings of a dataset are imported by `recommendations.importers.movielens`,
which calls both.
"""
