"""Benchmarks, each with its baseline measured in the same run (see bench/README.md)."""
