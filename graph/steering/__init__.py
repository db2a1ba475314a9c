"""Steering: what helps a small model beyond AutoGPT v0.3.0, behind one interface chosen per model."""
