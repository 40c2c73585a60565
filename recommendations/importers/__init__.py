"""Importers of viewers and their ratings from public datasets, with the catalogue's titles."""
