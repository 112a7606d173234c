"""Look-ups in the law graph used to present results: citations, labels, statuses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from kg.errors import InputError
from kg.namespaces import AKG
from kg.results import Ground, weakest
from kg.terms import Lookup

_LABEL = RDFS.label  # looked up for every finding (RDFS's attributes are computed)


def tail(node: object) -> str:
    text = str(node)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass
class LawInfo:
    """Look-ups in one law graph, which is not changed after (an amended law is another
    graph with its own LawInfo); each (node, property) is looked up once."""

    law: Graph
    _readings: dict[str, URIRef] = field(default_factory=dict)
    _values: dict[tuple[Node | None, URIRef], Node | None] = field(default_factory=dict)
    _objects: dict[tuple[Node, URIRef], tuple[Node, ...]] = field(default_factory=dict)
    _versions: dict[URIRef, tuple[tuple[str | None, str | None, str], ...]] = field(
        default_factory=dict
    )

    def _value(self, node: Node | None, prop: URIRef) -> Node | None:
        key = (node, prop)
        try:
            return self._values[key]
        except KeyError:
            found = self._values[key] = self.law.value(node, prop)
            return found

    def objects(self, node: Node, prop: URIRef) -> tuple[Node, ...]:
        """The law's values of a property of a node (looked up once)."""
        key = (node, prop)
        found = self._objects.get(key)
        if found is None:
            found = self._objects[key] = tuple(self.law.objects(node, prop))
        return found

    def __post_init__(self) -> None:
        for node, rid in self.law.subject_objects(AKG.readingId):
            if isinstance(node, URIRef):
                self._readings[str(rid)] = node

    def reading(self, reading_id: str, where: str = "--reading") -> URIRef:
        if reading_id not in self._readings:
            raise InputError(
                where,
                f"there is no reading '{reading_id}'",
                f"use one of: {', '.join(sorted(self._readings))}",
                field="--reading",
            )
        return self._readings[reading_id]

    def fixed_readings(
        self,
        reading_ids: tuple[str, ...],
        where: str = "--reading",
    ) -> tuple[URIRef, ...]:
        """The readings to hold fixed; two on the same contested point is bad input."""
        nodes = tuple(self.reading(r, where) for r in reading_ids)
        seen: dict[object, str] = {}
        for rid, node in zip(reading_ids, nodes, strict=True):
            point = self.law.value(node, AKG.onPoint)
            if point in seen and seen[point] != rid:
                raise InputError(
                    where,
                    f"readings '{seen[point]}' and '{rid}' answer the same "
                    "contested point, so they cannot both be fixed",
                    "fix at most one reading per point",
                    field="--reading",
                )
            seen[point] = rid
        return nodes

    def reading_ids(self) -> list[str]:
        return sorted(self._readings)

    def reading_id(self, node: URIRef) -> str:
        value = self._value(node, AKG.readingId)
        return str(value) if value is not None else tail(node)

    def citation(self, provision: Node | None) -> str:
        value = self._value(provision, AKG.citation)
        return str(value) if value is not None else tail(provision)

    def status(self, node: Node | None) -> str:
        value = self._value(node, AKG.encodingStatus)
        return tail(value) if value is not None else "unconfirmed"

    def label(self, node: Node | None) -> str:
        value = self._value(node, _LABEL)
        return str(value) if value is not None else tail(node)

    def stated_in(self, node: Node | None) -> URIRef | None:
        value = self._value(node, AKG.statedIn)
        return value if isinstance(value, URIRef) else None

    def version_status(self, provision: URIRef, as_of: str) -> str | None:
        """The status of the version of the provision (or its section) in force on a date."""
        node: Node | None = provision
        while isinstance(node, URIRef):
            for start, end, status in self._versions_of(node):
                if (start is None or start <= as_of) and (end is None or as_of < end):
                    return status
            node = self._value(node, URIRef("http://data.europa.eu/eli/ontology#is_part_of"))
        return None

    def _versions_of(self, provision: URIRef) -> tuple[tuple[str | None, str | None, str], ...]:
        """Each version of a provision as (start, end, status), in the law's order."""
        found = self._versions.get(provision)
        if found is None:
            rows = []
            for version in self.law.subjects(AKG.versionOf, provision):
                start = self.law.value(version, AKG.validFrom)
                end = self.law.value(version, AKG.validUntil)
                rows.append(
                    (
                        None if start is None else str(start),
                        None if end is None else str(end),
                        self.status(version),
                    )
                )
            found = self._versions[provision] = tuple(rows)
        return found

    def ground(self, provision: URIRef, as_of: str, behind: Iterable[Node] = ()) -> Ground:
        """A provision as a ground of an answer on a date, with the weakest status behind
        it: the provision's text, the version in force, and the nodes drawn from it that
        the answer rests on (`behind`: the norm or grant, the exception, the reading)."""
        statuses = [self.status(provision), *(self.status(n) for n in behind)]
        version = self.version_status(provision, as_of)
        if version is not None:
            statuses.append(version)
        return Ground(self.citation(provision), weakest(statuses), str(provision))

    def item_id(self, data: Lookup, node: Node | None) -> str | None:
        value = data.value(node, AKG.itemId)
        return str(value) if isinstance(value, Literal) else None
