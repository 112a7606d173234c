"""The glossary: every verdict, status and term an answer shows, in the ontology's words.

Each entry is read from the graph the app loaded (rdfs:label or skos:prefLabel,
skos:definition, and skos:scopeNote where a word has a second use), never written here;
the sections only say which terms to show, in which order. `href(section, word)` is the
link a badge puts on its word. `Words` puts a card's ids, keys and codes in words
(`a1.purpose`: the purpose of the CPD officer's crowd control).
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from kg.cards import format as fmt
from kg.cards.read import Card
from kg.namespaces import AKG, CODE
from webapp.data.who import code_names
from webapp.services import Services

# (anchor prefix, heading, what the section is about, terms or a code scheme)
SECTIONS: tuple[tuple[str, str, str, tuple[URIRef, ...] | URIRef], ...] = (
    (
        "verdict",
        "Verdicts on a finding",
        "What the reasoner says about one action of an incident under one provision.",
        (AKG.Violates, AKG.Complies, AKG.Undetermined, AKG.Contested),
    ),
    (
        "competence",
        "Answers to who may investigate",
        "What the reasoner says about which agency may investigate a complaint.",
        (AKG.Clear, AKG.Overlap, AKG.Gap, AKG.Contested, AKG.Undetermined),
    ),
    (
        "status",
        "How firmly the encoding rests on its source",
        "Shown beside a provision, a reading or a ground of an answer; an answer is no "
        "firmer than the weakest status behind it (its confidence).",
        CODE["status"],
    ),
    (
        "bill",
        "Where an amendment stands",
        "The stage of a proposed or historical amendment in the legislative process.",
        CODE["bill-status"],
    ),
    (
        "term",
        "Other words",
        "The kinds of thing an answer names.",
        (
            AKG.Reading,
            AKG.ContestedPoint,
            AKG.Claim,
            AKG.Grant,
            AKG.Norm,
            AKG.Exception,
            AKG.Source,
            AKG.restricted,
        ),
    ),
)


def _actor(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        agency, role = str(value.get("agency", "")), str(value.get("role", ""))
    else:
        agency, _, role = str(value).partition(":")
    return {"agency": agency, "role": role, "text": f"{agency} {role}".strip()}


# The sense of a word that is used in two sections (skos:scopeNote holds the other).
SECOND_SENSE = {("verdict", AKG.Contested), ("competence", AKG.Undetermined)}


def _text(g: Graph, node: URIRef, prop: URIRef) -> str:
    value = g.value(node, prop)
    return str(value) if value is not None else ""


def _entry(g: Graph, section: str, node: URIRef) -> dict[str, Any]:
    word = _text(g, node, SKOS.notation) or _text(g, node, RDFS.label)
    word = word or _text(g, node, SKOS.prefLabel)
    label = _text(g, node, SKOS.prefLabel) or _text(g, node, RDFS.label) or word
    second = (section, node) in SECOND_SENSE and _text(g, node, SKOS.scopeNote)
    return {
        "word": word,
        "label": label,
        "id": f"{section}-{word.replace(' ', '-')}",
        "definition": second or _text(g, node, SKOS.definition),
        "iri": str(node),
    }


def _terms(g: Graph, terms: tuple[URIRef, ...] | URIRef) -> list[URIRef]:
    if isinstance(terms, tuple):
        return list(terms)
    concepts = [c for c in g.subjects(SKOS.inScheme, terms) if isinstance(c, URIRef)]
    return sorted(concepts, key=lambda c: _text(g, c, SKOS.notation))


def sections(s: Services) -> list[dict[str, Any]]:
    def compute() -> list[dict[str, Any]]:
        g = s.ctx.law
        return [
            {
                "id": key,
                "title": title,
                "about": about,
                "entries": [_entry(g, key, t) for t in _terms(g, terms)],
            }
            for key, title, about, terms in SECTIONS
        ]

    return s.memo.get(("glossary",), compute)


def href(s: Services, section: str, word: str) -> str:
    """The glossary's link for a word of a section, or "" if the glossary lacks it."""

    def compute() -> frozenset[str]:
        return frozenset(e["id"] for sec in sections(s) for e in sec["entries"])

    anchor = f"{section}-{str(word).replace(' ', '-')}"
    return f"/glossary#{anchor}" if anchor in s.memo.get(("glossary-ids",), compute) else ""


def field_words(s: Services, list_name: str, key: str) -> str:
    """A card key in words: the rdfs:label of the property the card format maps it to."""
    field = fmt.field(list_name, key)
    if field is None or field.prop is None:
        return key.replace("_", " ")
    return _text(s.ctx.law, field.prop, RDFS.label) or key.replace("_", " ")


# --- a card in words: its codes stay in the JSON and on a page's details line ---

FIELD_PHRASES = {  # a key whose label is a verb or a flag, put as a question about the item
    "assists": "which operation, if any, {item} in fact supported",
    "happened": "whether {item} happened",
    "purpose": "the purpose of {item}",
    "detained": "how many people {item} detained",
    "affiliation_disclosed": "whether the caller's agency was made known in {item}",
    "supervisor_consulted": "whether a supervisor was consulted on {item}",
    "supervisor_reviewed": "whether a supervisor reviewed {item}",
    "in_response_to": "the call {item} answered",
}


class Words:
    """The items, fields and claims of a card in words, built from the card's own fields
    (kinds, actors, descriptions, who asserts a claim): never more than the card says."""

    def __init__(self, s: Services, card: Card, hidden: frozenset[str] = frozenset()) -> None:
        self.s, self.card, self.hidden = s, card, hidden  # hidden: withheld, never described
        self.names = {k: code_names(s, k) for k in ("agency", "role", "action", "purpose")}
        self.claims = {str(c["id"]): c for c in card.items("claims") if c["id"] not in hidden}

    def code(self, scheme: str | None, value: Any) -> str:
        return code_names(self.s, scheme).get(str(value), str(value)) if scheme else str(value)

    def actor(self, value: Any) -> str:
        a = _actor(value)
        name = self.names["agency"].get(a["agency"], a["agency"])
        if a["agency"] == "PUBLIC" or (a["role"] and a["role"] in name.lower()):
            return a["role"] if a["agency"] == "PUBLIC" else name
        return a["text"] if a["agency"] else "an unknown actor"

    def agency(self, code: str) -> str:
        """An agency by its code (ICE), or by its name where the code is not one a reader
        knows (PUBLIC: members of the public; CPD-BIA)."""
        if code == "PUBLIC":
            return "members of the public"
        if not code:
            return "an unknown agency"
        return self.names["agency"].get(code, code) if "-" in code else code

    def item(self, item_id: str) -> str:
        if item_id == self.card.id:
            return "this incident"
        if item_id in self.hidden:
            return "an item that is withheld"
        found = self.card.find(item_id)
        if found is None:
            return item_id
        kind, it = found
        kind_field = fmt.field(kind, "kind")
        what = self.code(kind_field.scheme if kind_field else None, it.get("kind", ""))
        if kind == "actions":
            return f"the {self.actor(it['actor'])}'s {what}"
        if kind == "calls":
            return f"the call from the {self.actor(it['caller'])}"
        if kind == "operations":
            return f"the {what} operation by {self.agency(str(it.get('agency', '')))}"
        if kind == "complaints":
            return f"the complaint against the {self.actor(it['against'])}"
        if kind == "reviews":
            return f"the {what} by {it.get('by', '')}"
        return str(it.get("description") or it.get("title") or f"{kind[:-1]} {item_id}")

    def field(self, ref: str) -> str:
        """`a1.assists` in words: which operation, if any, the CPD officer's ... supported."""
        item_id, _, key = ref.partition(".")
        found = self.card.find(item_id)
        words = self.item(item_id)
        if key in FIELD_PHRASES:
            return FIELD_PHRASES[key].format(item=words)
        label = field_words(self.s, found[0], key) if found else key.replace("_", " ")
        return f"{words}: {label}"

    def value(self, ref: str, value: Any) -> str:
        item_id, _, key = ref.partition(".")
        found = self.card.find(item_id)
        f = fmt.field(found[0], key) if found else None
        if isinstance(value, list):
            return ", ".join(self.value(ref, v) for v in value) or "none"
        if f is not None and f.kind in ("ref", "refs") and self.card.find(str(value)):
            return self.item(str(value))
        if f is not None and f.kind == "actor":
            return self.actor(value)
        if f is not None and f.kind == "bool" and str(value).lower() in ("true", "false"):
            return "yes" if str(value).lower() == "true" else "no"
        return self.code(f.scheme if f else None, value)

    def claim(self, claim: dict[str, Any]) -> str:
        """Whose account a claim is: who asserts it, else the source it is taken from."""
        who = re.split(r" \(|;|,", str(claim.get("asserted_by", "")))[0].strip()
        if who:
            first, *rest = who.split(" ", 1)
            common = not first.isupper() and (not rest or rest[0][:1].islower())
            lower = first == "The" or (common and first[1:].islower())
            return "the account of " + (who[0].lower() + who[1:] if lower else who)
        src = self.card.find(str(claim.get("source", "")))
        return f"the account in “{src[1].get('title', '')}”" if src else "an account"

    def fact(self, fact: str) -> str:
        ref, eq, value = fact.partition(" = ")
        if eq and "." in ref:
            return f"{self.field(ref)}: {self.value(ref, value)}"
        whose, colon, item_id = fact.partition(": ")
        if colon and whose == self.card.id:
            return self.item(item_id)
        return self.text(fact)

    def text(self, text: str) -> str:
        """A reasoner's sentence with the card's ids put in words (the sentence itself is
        kept, in codes, on the page's details line and in the JSON)."""
        claims = self.claims
        text = re.sub(
            r"\bclaims? ([\w-]+)(?: and ([\w-]+))?",
            lambda m: " and ".join(
                self.claim(claims[c]) if c in claims else c for c in m.groups() if c
            ),
            text,
        )
        text = re.sub(
            r"\b([\w-]+) \([^()]*, [\w-]+\)",
            lambda m: self.item(m.group(1)) if self.card.find(m.group(1)) else m.group(0),
            text,
        )
        text = re.sub(
            r"\b([\w-]+)\.([a-z_]+)\b",
            lambda m: self.field(m.group(0)) if self.card.find(m.group(1)) else m.group(0),
            text,
        )
        return re.sub(
            r"\b[a-z][a-z0-9]*[0-9]\b",
            lambda m: self.item(m.group(0)) if self.card.find(m.group(0)) else m.group(0),
            text,
        )
