"""Resource IRIs and the app's URLs: https://w3id.org/authority-kg/law/mcc/2-173-020 is
served at /law/mcc/2-173-020; an IRI with a fragment, or outside the project's base, at
/resource?iri=...; `short()` writes an IRI with the project's prefixes, for reading."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlencode

from kg.namespaces import BASE, PREFIXES

ROUTED = ("law/", "agency/", "incident/", "code/", "graph/", "matrix/")


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


def iri_of(path: str) -> str:
    """The resource IRI for an app path like `law/mcc/2-173-020`."""
    return BASE + path.lstrip("/")


def short(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            return f"{prefix}:{iri[len(str(ns)) :]}"
    return iri


def tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def is_amendment_graph(graph: str) -> bool:
    return "/graph/law/amendments/" in graph
