"""Vet a researcher or a proposal team: co-authorships screened over a lookback window.

Public API: :func:`load_vet_query`, :func:`vet`, :func:`write_vet`, :func:`load_rules`,
:func:`load_team`, :func:`people_from_ids`, :func:`new_since`.

Example:
    >>> from biblio.vet import load_vet_query, vet, write_vet
    >>> run_dir = write_vet(vet(load_vet_query("queries/vet-demo.toml")))   # doctest: +SKIP
"""

from biblio.vet.monitor import new_since
from biblio.vet.output import write_vet
from biblio.vet.people import Person, load_team, people_from_ids
from biblio.vet.rules import RuleSet, load_rules
from biblio.vet.run import VetResult, team_of, vet
from biblio.vet.spec import VetQuery, load_vet_query, parse_vet_query

__all__ = ["Person", "RuleSet", "VetQuery", "VetResult", "load_rules", "load_team", "load_vet_query", "new_since", "parse_vet_query",
           "people_from_ids", "team_of", "vet", "write_vet"]
