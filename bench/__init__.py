"""Benchmarks and the large-content generator: tools for this machine, not for production
(the Docker image leaves this folder out)."""
