"""Fixtures several test files share."""
from __future__ import annotations

import pytest

from servers import oxigraph_server, recording_listener


@pytest.fixture()
def listener():
    """A 127.0.0.1 listener that records every connection made to it: (port, seen)."""
    with recording_listener() as port_and_seen:
        yield port_and_seen


@pytest.fixture()
def oxigraph(tmp_path):
    """A read-write Oxigraph server on a free 127.0.0.1 port, stopped (by its pid) afterwards."""
    with oxigraph_server(tmp_path / "remote") as base:
        yield base
