"""Feedback analysis over a map's causal graph: loops, polarity, leverage (no Qt)."""
