"""An https:// URL pointing at a plain-HTTP port: say the port does not speak TLS."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from vmcctl.errors import ConfigError
from vmcctl.vsphere.connection import connect
from vmcctl.vsphere.settings import resolve_settings


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_tls_to_a_plain_http_port_does_not_suggest_ca_file(plain_http_port: int) -> None:
    """Found in review: WRONG_VERSION_NUMBER came with advice to use --ca-file/--insecure."""
    settings = resolve_settings(url=f"https://127.0.0.1:{plain_http_port}/sdk", username="u",
                                password="p", env={}, connect_timeout=5)
    with pytest.raises(ConfigError) as err:
        connect(settings)
    text = str(err.value)
    assert "does not speak TLS" in text and "http://" in text
    assert "--ca-file" not in text and "--insecure" not in text
    assert err.value.exit_code == 2
