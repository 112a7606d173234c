"""The code lists of the card format, read from the ontology's SKOS schemes."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import AKG, CODE


@dataclass(frozen=True)
class CodeIndex:
    """scheme -> notation -> concept IRI, plus respondent kinds by (agency, role)."""

    by_scheme: dict[str, dict[str, URIRef]]
    respondents: dict[tuple[str, str], URIRef]
    notation_of: dict[URIRef, str]

    @classmethod
    def from_graph(cls, graph: Graph) -> CodeIndex:
        by_scheme: dict[str, dict[str, URIRef]] = {}
        notation_of: dict[URIRef, str] = {}
        for concept, scheme in graph.subject_objects(SKOS.inScheme):
            if not isinstance(concept, URIRef) or not str(scheme).startswith(str(CODE)):
                continue
            name = str(scheme)[len(str(CODE)) :]
            for notation in graph.objects(concept, SKOS.notation):
                by_scheme.setdefault(name, {})[str(notation)] = concept
                notation_of[concept] = str(notation)
        respondents: dict[tuple[str, str], URIRef] = {}
        for kind in by_scheme.get("respondent", {}).values():
            agency = graph.value(kind, AKG.respondentAgency)
            role = graph.value(kind, AKG.respondentRole)
            if isinstance(agency, URIRef) and isinstance(role, URIRef):
                respondents[(notation_of[agency], notation_of[role])] = kind
        return cls(by_scheme, respondents, notation_of)

    def notations(self, scheme: str) -> list[str]:
        return sorted(self.by_scheme.get(scheme, {}))

    def all_notations(self) -> dict[str, list[str]]:
        return {name: sorted(values) for name, values in self.by_scheme.items()}

    def iri(self, scheme: str, notation: str) -> URIRef:
        return self.by_scheme[scheme][notation]

    def respondent_kind(self, agency: str, role: str) -> URIRef | None:
        return self.respondents.get((agency, role))

    def notation(self, concept: object) -> str:
        """A concept's code as a card writes it; akg:Unknown and akg:None as `unknown` and
        `none`, never an IRI."""
        if concept == AKG.Unknown:
            return "unknown"
        if concept == AKG["None"]:
            return "none"
        if isinstance(concept, URIRef):
            return self.notation_of.get(concept, str(concept))
        return str(concept)
