"""Importers that fill the catalogue, and its viewers' ratings, from public datasets."""
