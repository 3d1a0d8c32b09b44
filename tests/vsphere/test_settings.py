"""Connection settings: flags > VMCCTL_* > GOVC_*, URL forms, TLS context, no password shown."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import ConfigError
from vmcctl.vsphere.settings import ConnectionSettings, normalise_url, resolve_settings

FULL_ENV = {
    "VMCCTL_URL": "https://vmc.example/sdk", "VMCCTL_USERNAME": "vmc-user",
    "VMCCTL_PASSWORD": "vmc-pw",
    "GOVC_URL": "govc.example", "GOVC_USERNAME": "govc-user", "GOVC_PASSWORD": "govc-pw",
}


@pytest.mark.parametrize(("flags", "env", "expected"), [
    # flags beat everything
    ({"url": "flag.example", "username": "f-user", "password": "f-pw"}, FULL_ENV,
     ("https://flag.example/sdk", "f-user", "f-pw")),
    # VMCCTL_* beat GOVC_*
    ({}, FULL_ENV, ("https://vmc.example/sdk", "vmc-user", "vmc-pw")),
    # GOVC_* alone; bare host becomes https://host/sdk
    ({}, {"GOVC_URL": "govc.example", "GOVC_USERNAME": "u", "GOVC_PASSWORD": "p"},
     ("https://govc.example/sdk", "u", "p")),
    # GOVC_URL carrying user:pass@ (percent-encoded), host:port
    ({}, {"GOVC_URL": "admin%40vsphere.local:s3cr%3At@10.0.0.1:8443"},
     ("https://10.0.0.1:8443/sdk", "admin@vsphere.local", "s3cr:t")),
    # within a tier the explicit variable beats the URL's user:pass@
    ({}, {"GOVC_URL": "https://a:b@h/sdk", "GOVC_USERNAME": "c"}, ("https://h/sdk", "c", "b")),
    # mixing tiers: URL from flags, user from VMCCTL, password from GOVC
    ({"url": "http://127.0.0.1:8989/sdk"},
     {"VMCCTL_USERNAME": "vu", "GOVC_PASSWORD": "gp"}, ("http://127.0.0.1:8989/sdk", "vu", "gp")),
    # VMCCTL_URL's userinfo beats GOVC_USERNAME (higher tier)
    ({}, {"VMCCTL_URL": "https://x:y@h", "GOVC_USERNAME": "g", "GOVC_PASSWORD": "gp"},
     ("https://h/sdk", "x", "y")),
])
def test_resolution_order(flags: dict[str, Any], env: dict[str, str],
                          expected: tuple[str, str, str]) -> None:
    s = resolve_settings(env=env, **flags)
    assert (s.url, s.username, s.password) == expected


@pytest.mark.parametrize(("env", "needle"), [
    ({}, "--url"),
    ({"GOVC_URL": "h"}, "--username"),
    ({"GOVC_URL": "h", "GOVC_USERNAME": "u"}, "--password"),
])
def test_missing_values_name_flag_and_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings(env=env)
    text = str(err.value)
    assert needle in text
    assert "VMCCTL_" + needle.strip("-").upper() in text


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (None, {}, False),
    (None, {"GOVC_INSECURE": "1"}, True),
    (None, {"VMCCTL_INSECURE": "false", "GOVC_INSECURE": "1"}, False),
    (False, {"VMCCTL_INSECURE": "yes"}, False),
    (True, {}, True),
])
def test_insecure_resolution(flag: bool | None, env: dict[str, str], expected: bool) -> None:
    s = resolve_settings(url="h", username="u", password="p", insecure=flag, env=env)
    assert s.insecure is expected


def test_bad_boolean_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="VMCCTL_INSECURE"):
        resolve_settings(url="h", username="u", password="p", env={"VMCCTL_INSECURE": "maybe"})


def test_ca_file_order_and_missing_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.pem", tmp_path / "b.pem"
    a.write_text("x")
    b.write_text("x")
    env = {"VMCCTL_CA_FILE": str(a), "GOVC_TLS_CA_CERTS": str(b)}
    assert resolve_settings(url="h", username="u", password="p", env=env).ca_file == str(a)
    only_govc = {"GOVC_TLS_CA_CERTS": str(b)}
    assert resolve_settings(url="h", username="u", password="p",
                            env=only_govc).ca_file == str(b)
    with pytest.raises(ConfigError, match="CA file not found"):
        resolve_settings(url="h", username="u", password="p", ca_file=str(tmp_path / "nope"))


def test_url_forms() -> None:
    assert normalise_url("vc", "x").url == "https://vc/sdk"
    assert normalise_url("https://vc/", "x").url == "https://vc/sdk"
    assert normalise_url("http://[::1]:80/sdk", "x").url == "http://[::1]:80/sdk"
    with pytest.raises(ConfigError, match="scheme"):
        normalise_url("ftp://vc", "--url")


def test_password_never_shown() -> None:
    s = resolve_settings(env={"GOVC_URL": "u:Hunter2pw@vc.example"})
    assert s.password == "Hunter2pw"
    for text in (repr(s), str(s), s.url):
        assert "Hunter2pw" not in text


def test_ssl_context_verifies_by_default_and_not_when_insecure() -> None:
    secure = ConnectionSettings(url="https://h/sdk", username="u", password="p")
    ctx = secure.ssl_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    off = ConnectionSettings(url="https://h/sdk", username="u", password="p", insecure=True)
    ctx = off.ssl_context()
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname


def test_bad_pem_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    s = ConnectionSettings(url="https://h/sdk", username="u", password="p", ca_file=str(bad))
    with pytest.raises(ConfigError, match="cannot load the CA file"):
        s.ssl_context()


def test_ca_file_that_is_a_directory_says_so(tmp_path: Path) -> None:
    """Found in review: a directory was reported as "CA file not found"."""
    with pytest.raises(ConfigError, match="is a directory") as err:
        resolve_settings(url="h", username="u", password="p", env={"VMCCTL_CA_FILE": str(tmp_path)})
    assert "not found" not in str(err.value)
