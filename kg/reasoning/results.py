"""What an engine returns: SHACL validation results, reduced to what findings are built from."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

RUN = URIRef("urn:authority-kg:run")  # the one akg:Run node of a data graph


@dataclass(frozen=True)
class Result:
    """One SHACL validation result."""

    focus: URIRef
    shape: URIRef
    severity: URIRef
    message: str
    value: Node | None


@dataclass(frozen=True)
class Validation:
    """The results of one run, the report graph they came from, and the engine's name."""

    results: list[Result]
    report: Graph
    engine: str

    @property
    def report_node(self) -> Node | None:
        return self.report.value(predicate=RDF.type, object=SH.ValidationReport)


def report_graph(results: list[Result]) -> Graph:
    """The results as a SHACL validation report (sh:conforms as SHACL defines it)."""
    g = Graph()
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    violations = any(r.severity == SH.Violation for r in results)
    g.add((report, SH.conforms, Literal(not violations)))
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        g.add((node, SH.resultMessage, Literal(r.message)))
        if r.value is not None:
            g.add((node, SH.value, r.value))
    return g
