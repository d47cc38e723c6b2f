"""The shared kernel: domain errors, the generic state-machine door, append-only rows, money and
number formatting, bilingual fields, call time zones and view helpers.

`core` is the bottom layer: it imports Django and libraries, never another pocflow app."""
