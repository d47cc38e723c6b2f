"""Incubation forms, one module per feature: projects, agreement, lifecycle, outcomes, statistics."""
