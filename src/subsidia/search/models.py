"""The search index (see search/index.py)."""
