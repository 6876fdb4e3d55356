"""Jinja templates of the hub, shipped as package data (one folder per package)."""
