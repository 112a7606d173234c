"""Is the ontology consistent? HermiT decides, through owlready2.

This is the one module of the project that uses owlready2 (and so Java). The Turtle
files are parsed with rdflib, merged, written as N-Triples to a temporary folder, loaded
into a fresh owlready2 World, and classified by HermiT.

HermiT knows only the datatypes of the OWL 2 datatype map, which lacks xsd:date, so it
is run with unsupported datatypes ignored: dates are checked by the SHACL shapes, not
by the reasoner.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

REASONER = "HermiT (owlready2 " + str(getattr(owlready2, "VERSION", "?")) + ")"
_UNION_IRI = URIRef("https://w3id.org/authority-kg/ontology/union-under-check")


@dataclass(frozen=True)
class ConsistencyResult:
    """What the reasoner said about a set of ontology files."""

    consistent: bool
    reasoner: str
    message: str
    unsatisfiable: tuple[str, ...] = ()  # IRIs of classes that can have no member


class ReasonerError(RuntimeError):
    """The reasoner could not run (no Java, or HermiT failed for another reason)."""


def java_available() -> bool:
    """True when a `java` executable is on PATH (HermiT needs it)."""
    return shutil.which("java") is not None


def check_consistency(ttl_paths: Sequence[Path]) -> ConsistencyResult:
    """Run HermiT over the union of the Turtle files and say whether it is consistent.

    Raises ReasonerError when Java is missing or HermiT fails without a verdict, and
    the rdflib parser's error when a file is not valid Turtle.
    """
    java = shutil.which("java")
    if java is None:
        raise ReasonerError(
            "HermiT needs Java, and no `java` was found on PATH. "
            "Install a Java runtime (e.g. `apt-get install default-jre-headless`)."
        )
    union = _union(ttl_paths)
    names = ", ".join(p.name for p in ttl_paths)
    with tempfile.TemporaryDirectory(prefix="akg-owl-") as tmp:
        nt_path = Path(tmp) / "union.nt"
        union.serialize(destination=str(nt_path), format="nt", encoding="utf-8")
        return _reason(nt_path, java, names)


def _union(ttl_paths: Sequence[Path]) -> Graph:
    """Merge the files; their module headers become one header for the union."""
    union = Graph()
    for path in ttl_paths:
        union.parse(path, format="turtle")
    for header in set(union.subjects(RDF.type, OWL.Ontology)):
        union.remove((header, None, None))
    union.remove((None, OWL.imports, None))
    union.add((_UNION_IRI, RDF.type, OWL.Ontology))
    union.add((_UNION_IRI, RDFS.label, Literal("union of the files under check")))
    return union


def _reason(nt_path: Path, java: str, names: str) -> ConsistencyResult:
    owlready2.JAVA_EXE = java
    world = owlready2.World()
    try:
        with nt_path.open("rb") as handle:
            world.get_ontology(str(_UNION_IRI)).load(fileobj=handle, format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(
                world,
                infer_property_values=False,
                debug=0,
                ignore_unsupported_datatypes=True,
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            return ConsistencyResult(
                consistent=False,
                reasoner=REASONER,
                message=(
                    f"HermiT found the union of {names} inconsistent: some axioms contradict "
                    "each other (look for a datatype range that a literal breaks, or a "
                    "disjointness that an individual breaks)."
                ),
            )
        except owlready2.OwlReadyJavaError as error:
            raise ReasonerError(f"HermiT failed on {names}: {error}") from error
        unsatisfiable = tuple(
            sorted(str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        )
    finally:
        world.close()
    if unsatisfiable:
        message = (
            f"HermiT found the union of {names} consistent, but these classes are "
            f"unsatisfiable (can have no member): {', '.join(unsatisfiable)}."
        )
    else:
        message = f"HermiT found the union of {names} consistent; no class is unsatisfiable."
    return ConsistencyResult(
        consistent=True, reasoner=REASONER, message=message, unsatisfiable=unsatisfiable
    )
