"""HTTP and command line: the only layer that knows Flask and click."""
