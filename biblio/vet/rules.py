"""Reviewer rules as data: which facts meet which factor of a decision matrix.

biblio reports facts and the rules each fact meets; it never issues a verdict on a person.

Example:
    >>> rs = load_rules()                                               # doctest: +SKIP
    >>> [r.id for r in rs.rules][:2]                                    # doctest: +SKIP
    ['TP-1', 'AF-1']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from biblio.errors import InputFileError
from biblio.query import LIST_KEYS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FACTS = ("own_affiliation_listed", "coauthor_listed", "prc_state_funding", "talent_programme", "dod_funded")
CATEGORIES = ("prohibited", "mitigation required", "mitigation suggested", "note")
LISTED = ("at_publication", "now", "either")


@dataclass(frozen=True)
class Rule:
    """One factor: a fact type, its lists, listing time, lookback and category."""

    id: str
    fact: str
    category: str
    text: str
    lists: tuple[str, ...] = ()
    listed: str = "either"
    lookback_years: int = 5
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    def in_force(self, as_of: dt.date) -> bool:
        """True when the rule applies to a vetting on ``as_of``."""
        return (self.effective_from is None or as_of >= self.effective_from) and (self.effective_to is None or as_of <= self.effective_to)


@dataclass(frozen=True)
class RuleSet:
    """A versioned rule file: its matrix metadata, rules and SHA-256."""

    name: str
    version: str
    source: str
    rules: tuple[Rule, ...]
    path: str
    sha256: str
    note: str = ""


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rule file (default: the bundled DoD decision-matrix paraphrase)."""
    from biblio.vet.spec import DATA_DIR, DEFAULT_RULES

    p = Path(path) if path else DATA_DIR / DEFAULT_RULES.removeprefix("builtin:")
    try:
        raw = p.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"{p}: rule file not found; point [vet] rules at a rules .toml (see biblio/data/vet_rules/)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as e:
        raise InputFileError(f"{p}: not a readable rules TOML ({type(e).__name__}: {str(e)[:100]}); fix the file") from None
    m = data.get("matrix")
    if not isinstance(m, dict) or not all(isinstance(m.get(k), str) for k in ("name", "version", "source")):
        raise InputFileError(f"{p}: [matrix] needs name, version and source strings; the run records them")
    rules = data.get("rule")
    if not isinstance(rules, list) or not rules:
        raise InputFileError(f"{p}: no [[rule]] entries; add at least one rule")
    parsed = tuple(_rule(p, n, r) for n, r in enumerate(rules, start=1))
    ids = [r.id for r in parsed]
    if len(set(ids)) != len(ids):
        raise InputFileError(f"{p}: duplicate rule id; give every rule its own id")
    return RuleSet(name=m["name"], version=m["version"], source=m["source"], note=str(m.get("note", "")), rules=parsed,
                   path=str(p), sha256=hashlib.sha256(raw).hexdigest())


def _rule(p: Path, n: int, r: Any) -> Rule:
    def bad(fld: str, msg: str) -> InputFileError:
        return InputFileError(f"{p}: rule {n}: {fld}: {msg}")

    if not isinstance(r, dict):
        raise bad("rule", "must be a table")
    for fld in ("id", "fact", "category", "text"):
        if not isinstance(r.get(fld), str) or not r[fld].strip():
            raise bad(fld, "missing; every rule needs id, fact, category and text")
    if r["fact"] not in FACTS:
        raise bad("fact", f"unknown fact {r['fact'][:40]!r}; use one of {', '.join(FACTS)}")
    if r["category"] not in CATEGORIES:
        raise bad("category", f"unknown category {r['category'][:40]!r}; use one of {', '.join(CATEGORIES)}")
    lists = r.get("lists", [])
    if not isinstance(lists, list) or any(x not in LIST_KEYS for x in lists):
        raise bad("lists", f"must be a list of list keys from {', '.join(LIST_KEYS)}")
    if r.get("listed", "either") not in LISTED:
        raise bad("listed", f"use one of {', '.join(LISTED)}")
    years = r.get("lookback_years", 5)
    if not isinstance(years, int) or isinstance(years, bool) or not 0 < years <= 50:
        raise bad("lookback_years", "must be a whole number of years from 1 to 50")
    for fld in ("effective_from", "effective_to"):
        if fld in r and (not isinstance(r[fld], dt.date) or isinstance(r[fld], dt.datetime)):
            raise bad(fld, "must be a date, YYYY-MM-DD (no quotes)")
    return Rule(id=r["id"], fact=r["fact"], category=r["category"], text=" ".join(r["text"].split()), lists=tuple(lists),
                listed=r.get("listed", "either"), lookback_years=years, effective_from=r.get("effective_from"), effective_to=r.get("effective_to"))


def _rule_mask(rule: Rule, *, as_of: dt.date) -> pl.Expr:
    try:
        start = as_of.replace(year=as_of.year - rule.lookback_years)
    except ValueError:
        start = as_of.replace(year=as_of.year - rule.lookback_years, day=28)
    m = (pl.col("fact") == rule.fact) & pl.col("publication_date").is_between(start, as_of)
    if rule.lists:
        m = m & pl.col("list_key").is_in(list(rule.lists))
    if rule.listed == "at_publication":
        m = m & pl.col("listed_at_publication").fill_null(False)
    elif rule.listed == "now":
        m = m & pl.col("listed_now").fill_null(False) & ~pl.col("listed_at_publication").fill_null(False)
    elif rule.fact in ("own_affiliation_listed", "coauthor_listed"):
        m = m & (pl.col("listed_at_publication").fill_null(False) | pl.col("listed_now").fill_null(False))
    return m


def apply_rules(facts: pl.DataFrame, rules: RuleSet, *, as_of: dt.date) -> pl.DataFrame:
    """Add ``rules_met`` (``;``-joined rule IDs) and ``category`` (the most serious one met)."""
    live = [r for r in rules.rules if r.in_force(as_of)]
    ids = [pl.when(_rule_mask(r, as_of=as_of)).then(pl.lit(r.id)).otherwise(None) for r in live]
    order = {c: i for i, c in enumerate(CATEGORIES)}
    cats = [pl.when(_rule_mask(r, as_of=as_of)).then(pl.lit(order[r.category])).otherwise(None) for r in live]
    if not live or facts.height == 0:
        return facts.with_columns(pl.lit("", pl.Utf8).alias("rules_met"), pl.lit(None, pl.Utf8).alias("category"))
    out = facts.with_columns(pl.concat_list(ids).list.drop_nulls().list.join(";").alias("rules_met"),
                             pl.min_horizontal(cats).alias("_cat"))
    return out.with_columns(pl.col("_cat").replace_strict(list(order.values()), list(order), default=None, return_dtype=pl.Utf8).alias("category")).drop("_cat")
