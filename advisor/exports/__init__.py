"""Renderers that turn an evaluation result into files people take away."""
