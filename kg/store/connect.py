"""Which store a command uses: `--endpoint URL` or `$KG_ENDPOINT` names a SPARQL 1.1
server; otherwise the embedded store."""

from __future__ import annotations

import os
from pathlib import Path

from kg.store.base import Store
from kg.store.embedded import EmbeddedStore, default_location
from kg.store.remote import RemoteStore

ENV_ENDPOINT = "KG_ENDPOINT"


def open_store(*, location: str | None = None, endpoint: str | None = None) -> Store:
    """The store commands use: --endpoint/$KG_ENDPOINT, else the embedded one."""
    url = endpoint or os.environ.get(ENV_ENDPOINT)
    if url:
        return RemoteStore(url)
    return EmbeddedStore(Path(location).expanduser() if location else default_location())
