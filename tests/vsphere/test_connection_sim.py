"""Connecting to the simulator: TLS verified by default, login errors, renewal, logout."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.errors import AuthenticationError, TLSVerificationError, VCenterConnectionError
from vmcctl.vsphere.connection import Client, connect
from vmcctl.vsphere.snapshot import take_snapshot

pytestmark = pytest.mark.sim


def test_default_verification_fails_against_the_self_signed_simulator(
        vcsim: Any, settings_for: Any) -> None:
    if not vcsim.url.startswith("https"):
        pytest.skip("simulator serves plain http")
    settings = settings_for(vcsim, ca_file=None, insecure=None)
    assert not settings.insecure and settings.ca_file is None
    with pytest.raises(TLSVerificationError) as err:
        connect(settings)
    assert "--ca-file" in str(err.value) and "--insecure" in str(err.value)


def test_ca_file_works(vcsim: Any, settings_for: Any) -> None:
    if vcsim.cert_file is None:
        pytest.skip("no simulator certificate to trust")
    with connect(settings_for(vcsim)) as c:
        assert c.content.about.apiType == "VirtualCenter"


def test_insecure_works(vcsim: Any, settings_for: Any) -> None:
    with connect(settings_for(vcsim, ca_file=None, insecure=True)) as c:
        assert c.content.about.apiType == "VirtualCenter"


def test_wrong_password_is_one_line_without_the_password(vcsim: Any, settings_for: Any) -> None:
    assert vcsim.inventory.credentials  # an external vcsim may accept any password: skip
    with pytest.raises(AuthenticationError) as err:
        connect(settings_for(vcsim, password="Wr0ng-Secret"))
    text = str(err.value)
    assert "\n" not in text and "Wr0ng-Secret" not in text and vcsim.username in text


def test_unreachable_is_a_connection_error() -> None:
    from vmcctl.vsphere.settings import resolve_settings

    settings = resolve_settings(url="https://127.0.0.1:1/sdk", username="u", password="p",
                                env={}, connect_timeout=2)
    with pytest.raises(VCenterConnectionError, match="cannot reach"):
        connect(settings)


def test_expired_session_is_renewed_for_a_read(vcsim: Any, settings_for: Any) -> None:
    with connect(settings_for(vcsim)) as c:
        first = take_snapshot(c)
        vcsim.control.expire_sessions()
        again = take_snapshot(c)
        assert c.renewals == 1
        assert again == first


def test_repr_never_shows_the_password(vcsim: Any, settings_for: Any) -> None:
    c = Client(settings_for(vcsim))
    with c:
        assert vcsim.password not in repr(c) + str(c) + repr(c.settings)
    assert "closed" in repr(c)
