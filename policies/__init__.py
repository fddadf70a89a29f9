"""ODRL 2.2 policies and their decision engine (pure, no I/O)."""
