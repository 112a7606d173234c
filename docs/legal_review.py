"""Write docs/legal-review.md from the law graph: for every provision, what was read, from
where, its status and dates, what is drawn from it, and what would change the answer.

    python docs/legal_review.py > docs/legal-review.md

tests/unit/test_legal_review.py checks that the committed file is what this writes, so the
review a lawyer audits is the graph the tool reasons on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS
from rdflib.term import Node

from kg.law import load
from kg.law.info import tail
from kg.namespaces import AKG
from kg.results import RANK

ELI_PART = URIRef("http://data.europa.eu/eli/ontology#is_part_of")
PROVISIONS = (AKG.Code, AKG.Statute, AKG.Chapter, AKG.Section, AKG.Subdivision)
DRAWN = ((AKG.statedIn, "norm or exception"), (AKG.grantedBy, "grant"))
WHAT_WOULD_CHANGE = {
    "partial": "reading the rest of the text",
    "secondary": "reading the text itself (known only from a restatement)",
    "inferred": "a source that states what is now inferred",
    "unconfirmed": "a source that confirms the reports",
    "title-only": "reading the text (only the heading is known; it decides nothing)",
    "not-retrieved": "retrieving the text",
}


def _status(g: Graph, node: Node) -> str:
    value = g.value(node, AKG.encodingStatus)
    return tail(value) if value is not None else "unconfirmed"


def _dates(g: Graph, node: Node) -> str:
    start, end = g.value(node, AKG.validFrom), g.value(node, AKG.validUntil)
    text = f"from {start}" if start is not None else "start not recorded"
    if end is not None:
        text += f" until {end} (exclusive)"
    if g.value(node, AKG.startUncertain) is not None:
        window = g.value(node, AKG.startWindowEnd)
        end_text = f"to {window}" if window else "no sourced end"
        text += f"; the start is a choice within a window ({end_text})"
    return text


def _sources(g: Graph, node: Node) -> list[str]:
    out = []
    for s in sorted(g.objects(node, DCTERMS.source), key=str):
        title = g.value(s, DCTERMS.title) or tail(s)
        agent = g.value(s, DCTERMS.publisher)  # an agent, named by foaf:name
        publisher = g.value(agent, FOAF.name) if agent is not None else None
        bits = [str(x) for x in (publisher or agent, g.value(s, DCTERMS.date)) if x]
        url = g.value(s, AKG.url)
        out.append(
            f"{title}" + (f" ({', '.join(bits)})" if bits else "") + (f" <{url}>" if url else "")
        )
    return out


def _drawn(g: Graph, provision: Node) -> list[tuple[Node, str]]:
    kinds = (AKG.Prohibition, AKG.Obligation, AKG.Permission, AKG.Exception, AKG.Grant)
    found = [
        (n, kind)
        for link, kind in DRAWN
        for n in g.subjects(link, provision)
        if any((n, RDF.type, k) in g for k in kinds)
    ]
    return sorted(found, key=lambda x: str(x[0]))


def _points(g: Graph, provision: Node) -> list[Node]:
    return sorted(
        (n for n in g.subjects(AKG.concerns, provision) if (n, RDF.type, AKG.ContestedPoint) in g),
        key=str,
    )


def _questions(g: Graph, provision: Node) -> list[Node]:
    return sorted(
        (n for n in g.subjects(AKG.concerns, provision) if (n, RDF.type, AKG.OpenQuestion) in g),
        key=str,
    )


def _weakest(statuses: Iterable[str]) -> str:
    return max(
        statuses, key=lambda s: RANK.index(s) if s in RANK else len(RANK), default="verified"
    )


def review(g: Graph) -> str:
    provisions = sorted(
        {p for c in PROVISIONS for p in g.subjects(RDF.type, c)},
        key=lambda p: str(g.value(p, AKG.citation) or p),
    )
    lines = [
        "# Legal review: every provision, what was read, and what would change the answer",
        "",
        "Written by `python docs/legal_review.py` from the law graph (a test keeps it in step).",
        f"The law is encoded as checked on {load.law_current_to()}. Statuses, firmest first: "
        + ", ".join(f"`{s}`" for s in RANK)
        + ". An answer is no firmer than the weakest status behind it: the provision, the norm",
        "or grant drawn from it, its dates, and the reading it depends on.",
        "",
    ]
    for p in provisions:
        cite = str(g.value(p, AKG.citation) or tail(p))
        status = _status(g, p)
        lines += [f"## {cite}", ""]
        label = g.value(p, RDFS.label)
        if label is not None:
            lines.append(f"*{label}*")
            lines.append("")
        lines.append(f"- **Status**: `{status}`; in force {_dates(g, p)}.")
        note = g.value(p, AKG.statusNote)
        if note is not None:
            lines.append(f"- **What was read**: {note}")
        url = g.value(p, AKG.officialUrl)
        if url is not None:
            lines.append(f"- **Where**: <{url}>")
        for s in _sources(g, p):
            lines.append(f"- **Source**: {s}")
        chain = [status]
        for node, kind in _drawn(g, p):
            st = _status(g, node)
            chain.append(st)
            conds = sorted(g.objects(node, AKG.condition), key=str)
            cond_text = "; ".join(f"{g.value(c, RDFS.label)} (`{_status(g, c)}`)" for c in conds)
            chain += [_status(g, c) for c in conds]
            lines.append(
                f"- **Drawn from it** ({kind}): {g.value(node, RDFS.label) or tail(node)}, `{st}`, "
                f"{_dates(g, node)}" + (f". Conditions: {cond_text}" if cond_text else "")
            )
        for point in _points(g, p):
            readings = sorted(g.subjects(AKG.onPoint, point), key=str)
            chain += [_status(g, r) for r in readings]
            names = "; ".join(
                f"`{g.value(r, AKG.readingId)}` (`{_status(g, r)}`, held by "
                f"{g.value(r, AKG.heldBy) or 'no one recorded'})"
                for r in readings
            )
            lines.append(f"- **Contested**: {g.value(point, RDFS.label)}: {names}")
        for q in _questions(g, p):
            lines.append(f"- **Open question**: {g.value(q, RDFS.label)}")
        weakest = _weakest(chain)
        if weakest == "verified":
            change = "nothing known: every link behind it is verified."
        else:
            change = (
                f"the weakest link is `{weakest}`: "
                f"{WHAT_WOULD_CHANGE.get(weakest, 'a firmer source')}"
                + ("; and a settled reading of the contested point" if _points(g, p) else "")
                + ("; and an answer to the open question" if _questions(g, p) else "")
                + "."
            )
        lines.append(f"- **What would change the answer**: {change}")
        lines.append("")
    return "\n".join(lines)


def law_graph() -> Graph:
    g = Graph()
    g += load.shared_law_graph()
    return g


if __name__ == "__main__":
    sys.stdout.write(review(law_graph()))
