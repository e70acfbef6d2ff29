"""Pure election rules: no I/O, no UI, no database (a test enforces the import rule)."""
