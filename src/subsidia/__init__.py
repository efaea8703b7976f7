"""Subsidia: a platform for a public administration to work with the civil society it funds."""
