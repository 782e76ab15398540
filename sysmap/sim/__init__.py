"""Simulation of stock-and-flow models: equation parsing, compilation, integration (no Qt)."""
