"""Every IRI base of the project, defined once (see docs/model.md)."""

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SH, SKOS, XSD


class Terms(Namespace):
    """rdflib's `Namespace`, each term made once: rdflib builds a new IRI at every
    attribute read (`AKG.outcome`), which the loops reading a run's results paid for
    (about a tenth of a check's time, profiled)."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = self.term(name)
        self.__dict__[name] = term  # found as an attribute from now on
        return term


BASE = "https://w3id.org/authority-kg/"
AKG = Terms(BASE + "ontology#")
LAW = Namespace(BASE + "law/")
AGENCY = Namespace(BASE + "agency/")
CODE = Namespace(BASE + "code/")
INC = Namespace(BASE + "incident/")
GRAPH = Namespace(BASE + "graph/")
SHAPES = Terms(BASE + "shapes#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

PREFIXES: dict[str, Namespace] = {
    "akg": AKG,
    "law": LAW,
    "agency": AGENCY,
    "code": CODE,
    "inc": INC,
    "graph": GRAPH,
    "akgsh": SHAPES,
    "eli": ELI,
    "dct": Namespace(str(DCTERMS)),
    "org": Namespace(str(ORG)),
    "prov": Namespace(str(PROV)),
    "skos": Namespace(str(SKOS)),
    "sh": Namespace(str(SH)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
}


def bind_prefixes(graph: "object") -> None:
    """Bind the project's prefixes on an rdflib Graph or Dataset."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)  # type: ignore[attr-defined]


def publisher_iri(name: str) -> URIRef:
    """The agent that published a source (dct:publisher), named by its name as written:
    law:publisher/<slug>, the same IRI for a law file's source and a card's."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        slug = "x-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return LAW["publisher/" + slug]


AKG_NONE = AKG["None"]  # "none": known to be nothing (assists: none, record: [])
