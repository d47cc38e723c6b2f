"""Reads for incubation, one module per feature: querysets already shaped for the pages that show them."""
