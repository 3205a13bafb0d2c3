"""The entity lists as data: loader, summary and crosswalk. See ``biblio/lists/data/PROVENANCE.md``.

Example:
    >>> from biblio.lists import load_lists
    >>> sorted(load_lists().keys)[:3]
    ['1260h', '1286', 'aspi']
"""

from biblio.lists.loader import ListSet, load_lists, lists_summary

__all__ = ["ListSet", "load_lists", "lists_summary"]
