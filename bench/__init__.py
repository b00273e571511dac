"""Benchmarks (`make bench`): figures next to a baseline measured in the same run."""
