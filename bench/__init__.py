"""Benchmarks and their synthetic data (issue 7): `bench.generate` makes incident cards."""
