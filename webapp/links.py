"""Resource IRIs and the app's URLs: https://w3id.org/authority-kg/law/mcc/2-173-020 is
served at /law/mcc/2-173-020; an IRI with a fragment, or outside the project's base, at
/resource?iri=...; `short()` writes an IRI with the project's prefixes, for reading."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlencode

from werkzeug.exceptions import BadRequest, NotFound

from kg.namespaces import BASE, PREFIXES

# characters RFC 3987 does not allow in an IRI (and SPARQL does not allow in <...>)
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
IRI_MAX = 2000

ROUTED = ("law/", "agency/", "incident/", "code/", "graph/", "matrix/", "ontology/")


def local(iri: str) -> str:
    """The app's URL for a resource IRI."""
    if iri.startswith(BASE) and "#" not in iri and iri[len(BASE) :].startswith(ROUTED):
        return "/" + quote(iri[len(BASE) :], safe="/:@-._~!$&'()*+,;=")
    return "/resource?" + urlencode({"iri": iri})


def global_iri(url: str) -> str:
    """The resource IRI behind an app URL (for citing in print); other URLs as they are."""
    if url.startswith("/") and url[1:].startswith(ROUTED):
        return BASE + unquote(url[1:])
    return url


def iri_problem(iri: str) -> str | None:
    """Why `iri` cannot be an IRI of the graph (None if it can)."""
    if len(iri) > IRI_MAX:
        return f"an IRI of more than {IRI_MAX} characters"
    bad = _NOT_IN_IRI.search(iri)
    if bad:
        return f"an IRI may not hold {bad.group()!r} (spaces, quotes, <, > and the like)"
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
        return "an IRI starts with a scheme, such as https:"
    return None


def checked_iri(iri: str) -> str:
    """The IRI given to /resource?iri=: 400 with the reason when it is not one."""
    problem = iri_problem(iri)
    if problem:
        raise BadRequest(
            f"'{iri[:80]}' is not an IRI: {problem}. Give a full IRI, e.g. {BASE}law/mcc/2-173-020"
        )
    return iri


def iri_of(path: str) -> str:
    """The resource IRI for an app path like `law/mcc/2-173-020`; 404 when no IRI of
    the graph could have that path (it holds characters an IRI may not)."""
    iri = BASE + path.lstrip("/")
    if iri_problem(iri):
        raise NotFound(f"no resource has the path /{path[:80]}")
    return iri


def short(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{prefix}:{iri[len(str(ns)) :]}"
    return iri


def tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def is_amendment_graph(graph: str) -> bool:
    return "/graph/law/amendments/" in graph
