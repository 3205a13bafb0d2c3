"""The organisation graph (see biblio/orgs/graph.py)."""
