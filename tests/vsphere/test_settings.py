"""Connection settings: which URL, which credentials go with it (never another source's),
URL forms, TLS context, no password shown."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest

from vmcctl.errors import ConfigError
from vmcctl.vsphere.settings import (
    ConnectionSettings,
    FileConnection,
    normalise_url,
    resolve_settings,
)

FULL_ENV = {
    "VMCCTL_URL": "https://vmc.example/sdk", "VMCCTL_USERNAME": "vmc-user",
    "VMCCTL_PASSWORD": "vmc-pw",
    "GOVC_URL": "govc.example", "GOVC_USERNAME": "govc-user", "GOVC_PASSWORD": "govc-pw",
}
SECRETS = ("vmc-pw", "govc-pw", "secret", "lab-pw", "Hunter2pw")
LAB = FileConnection(origin="playbook lab.yaml", url="https://vc-lab/sdk", username="lab-user",
                     password_env="LAB_PASSWORD")


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
    # within a source the explicit variable beats the URL's user:pass@
    ({}, {"GOVC_URL": "https://a:b@h/sdk", "GOVC_USERNAME": "c"}, ("https://h/sdk", "c", "b")),
    # VMCCTL_URL's userinfo is its own; GOVC_* go with GOVC_URL only
    ({}, {"VMCCTL_URL": "https://x:y@h", "GOVC_USERNAME": "g", "GOVC_PASSWORD": "gp"},
     ("https://h/sdk", "x", "y")),
    # --url's own user:pass@ goes with it
    ({"url": "https://fu:fp@lab"}, FULL_ENV, ("https://lab/sdk", "fu", "fp")),
    # the command line's --username applies to an environment URL; its password stays
    ({"username": "cli-user"}, FULL_ENV, ("https://vmc.example/sdk", "cli-user", "vmc-pw")),
    ({"password": "cli-pw"}, {"GOVC_URL": "admin:secret@vc-prod"},
     ("https://vc-prod/sdk", "admin", "cli-pw")),
])
def test_resolution_order(flags: dict[str, Any], env: dict[str, str],
                          expected: tuple[str, str, str]) -> None:
    s = resolve_settings(env=env, **flags)
    assert (s.url, s.username, s.password) == expected


def test_govc_url_password_is_not_sent_to_another_url() -> None:
    """Issue 11: GOVC_URL=admin:secret@vc-prod and --url https://vc-lab sent secret to vc-lab."""
    env = {"GOVC_URL": "admin:secret@vc-prod"}
    with pytest.raises(ConfigError) as err:
        resolve_settings(url="https://vc-lab", env=env)
    text = str(err.value)
    assert text.startswith("--url https://vc-lab/sdk came from the command line; "
                           "no username for it")
    assert "GOVC_URL's user:password@" in text and "pass --username" in text
    with pytest.raises(ConfigError, match="no password for it"):
        resolve_settings(url="https://vc-lab", username="admin", env=env)
    s = resolve_settings(url="https://vc-lab", username="admin", password="lab-pw", env=env)
    assert (s.url, s.username, s.password, s.origin) == (
        "https://vc-lab/sdk", "admin", "lab-pw", "--url")


@pytest.mark.parametrize(("flags", "env", "file", "needles"), [
    # a URL from the command line borrows nothing from the environment
    ({"url": "vc-lab"}, FULL_ENV, None,
     ["--url https://vc-lab/sdk came from the command line; no username",
      "VMCCTL_USERNAME or GOVC_USERNAME", "pass --username, or set VMCCTL_URL"]),
    ({"url": "vc-lab", "username": "u"}, FULL_ENV, None,
     ["no password for it", "VMCCTL_PASSWORD or GOVC_PASSWORD", "pass --password"]),
    # VMCCTL_URL does not take GOVC_* credentials, nor GOVC_URL VMCCTL_* ones
    ({}, {"VMCCTL_URL": "vc-lab", "GOVC_USERNAME": "g", "GOVC_PASSWORD": "govc-pw"}, None,
     ["VMCCTL_URL https://vc-lab/sdk has no username of its own", "set VMCCTL_USERNAME"]),
    ({}, {"GOVC_URL": "vc-prod", "GOVC_USERNAME": "g", "VMCCTL_PASSWORD": "vmc-pw"}, None,
     ["GOVC_URL https://vc-prod/sdk has no password of its own", "set GOVC_PASSWORD",
      "not taken from VMCCTL_PASSWORD"]),
    # a playbook's URL never picks up VMCCTL_*/GOVC_* credentials
    ({}, FULL_ENV, FileConnection(origin="playbook p.yaml", url="https://vc-lab"),
     ["connection.url https://vc-lab/sdk came from playbook p.yaml; no username",
      "set connection.username"]),
    ({}, FULL_ENV, FileConnection(origin="playbook p.yaml", url="vc-lab", username="u"),
     ["no password for it", "declare connection.password_env"]),
    ({"username": "u"}, {"GOVC_PASSWORD": "govc-pw"},
     FileConnection(origin="playbook p.yaml", url="vc-lab"), ["no password for it"]),
    # ... not even when it names them itself
    ({}, FULL_ENV, FileConnection(origin="playbook p.yaml", url="vc-lab", username="u",
                                  password_env="VMCCTL_PASSWORD"),
     ["connection.password_env names VMCCTL_PASSWORD", "LAB_PASSWORD"]),
    ({}, FULL_ENV, FileConnection(origin="playbook p.yaml", url="vc-lab", username="u",
                                  password_env="LAB_PASSWORD"),
     ["LAB_PASSWORD, which is not set"]),
    # its username / password_env go only with its own url
    ({}, FULL_ENV, FileConnection(origin="playbook p.yaml", username="u",
                                  password_env="LAB_PASSWORD"),
     ["connection.username and connection.password_env without connection.url"]),
    ({}, {}, FileConnection(origin="playbook p.yaml", url="u:Hunter2pw@vc-lab"),
     ["connection.url carries a password"]),
    # insecure: true in a playbook needs --insecure on the command line
    ({}, {**FULL_ENV, "LAB_PASSWORD": "lab-pw"},
     FileConnection(origin="playbook p.yaml", url="vc-lab", username="u",
                    password_env="LAB_PASSWORD", insecure=True),
     ["playbook p.yaml says insecure: true, and the command line does not", "--insecure"]),
])
def test_credentials_never_cross_to_another_url(
        flags: dict[str, Any], env: dict[str, str], file: FileConnection | None,
        needles: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings(env=env, file=file, **flags)
    text = str(err.value)
    for needle in needles:
        assert needle in text
    assert err.value.exit_code == 2
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize(("flags", "env", "expected"), [
    # its own username and the variable it declares
    ({}, {**FULL_ENV, "LAB_PASSWORD": "lab-pw"},
     ("https://vc-lab/sdk", "lab-user", "lab-pw", "connection.url")),
    # or the command line's, which win
    ({"username": "me", "password": "mine"}, FULL_ENV,
     ("https://vc-lab/sdk", "me", "mine", "connection.url")),
    # --url beats the playbook's url, and the playbook's credentials stay with it
    ({"url": "vc-other", "username": "o", "password": "op"}, {"LAB_PASSWORD": "lab-pw"},
     ("https://vc-other/sdk", "o", "op", "--url")),
])
def test_playbook_connection(flags: dict[str, Any], env: dict[str, str],
                             expected: tuple[str, str, str, str]) -> None:
    s = resolve_settings(env=env, file=LAB, **flags)
    assert (s.url, s.username, s.password, s.origin) == expected


def test_playbook_without_url_leaves_the_environment_its_own_credentials() -> None:
    s = resolve_settings(env=FULL_ENV, file=FileConnection(origin="playbook p.yaml"))
    assert (s.url, s.username, s.password) == ("https://vmc.example/sdk", "vmc-user", "vmc-pw")


def test_playbook_insecure_with_the_command_line_flag() -> None:
    file = FileConnection(origin="playbook p.yaml", url="vc-lab", insecure=True)
    s = resolve_settings(username="u", password="p", insecure=True, file=file, env={})
    assert s.insecure is True


@pytest.mark.parametrize(("env", "needle"), [
    ({}, "pass --url or set VMCCTL_URL"),
    ({"GOVC_URL": "h"}, "GOVC_URL https://h/sdk has no username of its own "
                        "(set GOVC_USERNAME (or user:password@ in GOVC_URL), or pass --username"),
    ({"GOVC_URL": "h", "GOVC_USERNAME": "u"}, "has no password of its own"),
    ({"VMCCTL_URL": "h", "VMCCTL_USERNAME": "u"}, "(set VMCCTL_PASSWORD, or pass --password)"),
])
def test_missing_values_name_flag_and_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings(env=env)
    assert needle in str(err.value)


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (None, {"VMCCTL_URL": "h"}, False),
    (None, {"GOVC_URL": "h", "GOVC_INSECURE": "1"}, True),
    (None, {"VMCCTL_URL": "h", "VMCCTL_INSECURE": "false", "GOVC_INSECURE": "1"}, False),
    # insecure goes with its URL: GOVC_INSECURE does not weaken VMCCTL_URL or --url
    (None, {"VMCCTL_URL": "h", "GOVC_INSECURE": "1"}, False),
    (False, {"VMCCTL_URL": "h", "VMCCTL_INSECURE": "yes"}, False),
    (True, {"VMCCTL_URL": "h"}, True),
])
def test_insecure_resolution(flag: bool | None, env: dict[str, str], expected: bool) -> None:
    s = resolve_settings(username="u", password="p", insecure=flag, env=env)
    assert s.insecure is expected
    flag_url = resolve_settings(url="h", username="u", password="p", insecure=flag, env=env)
    assert flag_url.insecure is bool(flag)


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
