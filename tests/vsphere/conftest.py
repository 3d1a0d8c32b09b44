"""Helpers for the simulator-backed client tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vmcctl.vsphere.connection import Client, connect
from vmcctl.vsphere.settings import ConnectionSettings, resolve_settings


def _settings_for(sim: Any, **overrides: Any) -> ConnectionSettings:
    """Settings that reach ``sim`` with its certificate trusted (or plain http)."""
    kwargs: dict[str, Any] = {"url": sim.url, "username": sim.username,
                              "password": sim.password, "env": {}}
    if sim.cert_file is not None:
        kwargs["ca_file"] = str(sim.cert_file)
    elif sim.url.startswith("https"):
        kwargs["insecure"] = True
    kwargs.update(overrides)
    return resolve_settings(**kwargs)


SettingsFor = Callable[..., ConnectionSettings]


@pytest.fixture
def settings_for() -> SettingsFor:
    """``settings_for(sim, **overrides)``: connection settings for a simulator handle."""
    return _settings_for


@pytest.fixture
def client(vcsim: Any) -> Iterator[Client]:
    with connect(_settings_for(vcsim)) as c:
        yield c
