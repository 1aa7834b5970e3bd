"""Renderers: each formats a recorded trace and never computes a number of its own."""
