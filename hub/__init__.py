"""Tsunagu Hub."""
