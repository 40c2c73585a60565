"""Importers that fill the catalogue from public datasets; their viewers' ratings are
imported by `recommendations.importers`."""
