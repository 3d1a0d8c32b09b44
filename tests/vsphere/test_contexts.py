"""Contexts: which source names the vCenter, and a context's password goes only to its URL."""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import types
from pathlib import Path

import pytest

from vmcctl.errors import ConfigError
from vmcctl.vsphere import contexts
from vmcctl.vsphere.settings import credentials_hint, resolve_settings

LAB_URL = "https://vc-lab.example/sdk"
PROD_URL = "https://vc-prod.example/sdk"


def _python_cmd(code: str) -> str:
    """A password_cmd running ``code`` in this interpreter (no shell involved)."""
    return shlex.join([sys.executable, "-c", code])


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    marker = tmp_path / "prod-cmd-ran"
    prod_cmd = _python_cmd(
        f"import pathlib; pathlib.Path({str(marker)!r}).touch(); print('Prod-Pw-1')")
    return _write(tmp_path / "config.yaml", f"""\
current-context: prod
contexts:
  lab:
    url: {LAB_URL}
    username: lab-admin
    password_env: LAB_PASSWORD
  prod:
    url: {PROD_URL}
    username: prod-admin
    password_cmd: {json.dumps(prod_cmd)}
    insecure: true
""")


def _env(config: Path, **extra: str) -> dict[str, str]:
    return {"VMCCTL_CONFIG": str(config), **extra}


def _prod_cmd_ran(config: Path) -> bool:
    return (config.parent / "prod-cmd-ran").exists()


def test_context_flag_gives_the_context_url_user_and_own_password(config: Path) -> None:
    s = resolve_settings(context="lab", env=_env(config, LAB_PASSWORD="Lab-Pw-1"))
    assert (s.url, s.username, s.password, s.origin) == (LAB_URL, "lab-admin", "Lab-Pw-1",
                                                         "context lab")
    assert not s.insecure
    assert not _prod_cmd_ran(config)  # the current context's command never ran


@pytest.mark.parametrize(("kwargs", "extra", "origin"), [
    ({"url": "https://vc-flag.example/sdk", "username": "u", "password": "p"},
     {"VMCCTL_CONTEXT": "lab"}, "--url"),
    ({"context": "lab"}, {"VMCCTL_URL": "https://vc-env.example/sdk",
                          "VMCCTL_USERNAME": "u", "VMCCTL_PASSWORD": "p"}, "context lab"),
    ({}, {"VMCCTL_CONTEXT": "lab", "VMCCTL_URL": "https://vc-env.example/sdk",
          "VMCCTL_USERNAME": "u", "VMCCTL_PASSWORD": "p"}, "context lab"),
    ({}, {"VMCCTL_URL": "https://vc-env.example/sdk", "VMCCTL_USERNAME": "u",
          "VMCCTL_PASSWORD": "p"}, "VMCCTL_URL"),
    ({}, {"GOVC_URL": "u:p@vc-govc.example"}, "GOVC_URL"),
    ({}, {}, "context prod"),  # nothing else names a vCenter: the current context
])
def test_precedence(config: Path, kwargs: dict[str, str], extra: dict[str, str],
                    origin: str) -> None:
    s = resolve_settings(**kwargs, env=_env(config, LAB_PASSWORD="Lab-Pw-1", **extra))
    assert s.origin == origin
    # the prod command runs only when prod is the context chosen
    assert _prod_cmd_ran(config) == (origin == "context prod")


def test_url_and_context_together_are_refused(config: Path) -> None:
    with pytest.raises(ConfigError, match="--url and --context both"):
        resolve_settings(url=LAB_URL, context="lab", env=_env(config))


def test_environment_credentials_never_go_to_a_context(config: Path) -> None:
    with pytest.raises(ConfigError, match="password_env names LAB_PASSWORD, which is not set"):
        resolve_settings(context="lab", env=_env(config, VMCCTL_PASSWORD="Env-Pw",
                                                 GOVC_PASSWORD="Govc-Pw"))


def test_a_context_never_lends_its_credentials_to_an_environment_url(config: Path) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_settings(env=_env(config, VMCCTL_URL="https://vc-env.example/sdk"))
    assert "VMCCTL_URL https://vc-env.example/sdk has no username" in str(err.value)
    assert not _prod_cmd_ran(config)


def test_command_line_password_wins_and_nothing_is_run(config: Path) -> None:
    s = resolve_settings(context="prod", password="Typed-Pw", env=_env(config))
    assert (s.username, s.password, s.insecure) == ("prod-admin", "Typed-Pw", True)
    assert not _prod_cmd_ran(config)
    assert "context prod" in credentials_hint(s.origin)


def test_password_cmd_runs_without_a_shell_and_keeps_inner_spaces(tmp_path: Path) -> None:
    ctx = contexts.Context("c", LAB_URL, "u", password_cmd="echo $HOME")
    assert contexts.password_for(ctx, {"HOME": "/nowhere"}) == "$HOME"  # no shell expanded it
    spaced = contexts.Context("c", LAB_URL, "u",
                              password_cmd=_python_cmd("print('  pw with spaces  ')"))
    assert contexts.password_for(spaced, {}) == "  pw with spaces  "


@pytest.mark.parametrize(("cmd", "message"), [
    (_python_cmd("import sys; print('Leaked-Pw'); sys.exit(3)"), "password_cmd exited with 3"),
    (_python_cmd("pass"), "password_cmd printed no password"),
    ("no-such-program-vmcctl-test", "password_cmd program not found"),
])
def test_password_cmd_failures_say_what_and_show_no_output(cmd: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        contexts.password_for(contexts.Context("c", LAB_URL, "u", password_cmd=cmd), {})
    assert message in str(err.value)
    assert "Leaked-Pw" not in str(err.value)


@pytest.mark.parametrize(("entry", "message"), [
    ("url: https://x/sdk\n    username: u\n    password: hunter2", "has a password"),
    ("url: https://u:hunter2@x/sdk\n    password_env: X_PW", "the url carries a password"),
    ("url: https://x/sdk\n    username: u", "needs exactly one of"),
    ("url: https://x/sdk\n    username: u\n    password_env: A\n    keyring: true",
     "needs exactly one of"),
    ("url: https://x/sdk\n    username: u\n    password_env: VMCCTL_PASSWORD",
     "password_env names VMCCTL_PASSWORD"),
    ("url: https://x/sdk\n    username: u\n    password_env: A\n    insecure: true\n"
     "    ca_file: /x.pem", "both ca_file and insecure"),
    ("url: https://x/sdk\n    username: u\n    password_env: A\n    colour: red",
     "unknown key(s) colour"),
])
def test_bad_context_entries_are_refused(tmp_path: Path, entry: str, message: str) -> None:
    path = _write(tmp_path / "c.yaml", f"contexts:\n  bad:\n    {entry}\n")
    with pytest.raises(ConfigError) as err:
        contexts.load_contexts(path)
    assert message in str(err.value)
    assert "hunter2" not in str(err.value)


def test_save_writes_mode_0600_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.yaml"
    store = contexts.load_contexts(path)
    assert store.contexts == {} and store.current is None  # a missing file has no contexts
    ctx = contexts.make_context("lab", {"url": "vc-lab.example", "username": "u",
                                        "password_cmd": "pass show lab"}, "test")
    store.contexts["lab"] = ctx
    store.current = "lab"
    store.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = contexts.load_contexts(path)
    assert again.contexts == {"lab": ctx} and again.current == "lab"
    assert ctx.url == "https://vc-lab.example/sdk"


def test_config_location_follows_vmcctl_config_then_xdg_then_home() -> None:
    assert contexts.config_path({"VMCCTL_CONFIG": "/a/c.yaml", "XDG_CONFIG_HOME": "/x"}) == \
        Path("/a/c.yaml")
    assert contexts.config_path({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == \
        Path("/x/vmcctl/config.yaml")
    assert contexts.config_path({"HOME": "/h"}) == Path("/h/.config/vmcctl/config.yaml")
    assert contexts.config_path({}) is None


def test_keyring_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring -> ImportError
    ctx = contexts.Context("k", LAB_URL, "u", keyring=True)
    with pytest.raises(ConfigError, match=r"keyring package is not installed") as err:
        contexts.password_for(ctx, {})
    assert "vmcctl[keyring]" in str(err.value)


def test_keyring_is_asked_for_this_url_and_user_only(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = {(f"vmcctl:{LAB_URL}", "lab-admin"): "Ring-Pw"}
    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, user: stored.get((service, user))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert contexts.password_for(contexts.Context("k", LAB_URL, "lab-admin", keyring=True),
                                 {}) == "Ring-Pw"
    with pytest.raises(ConfigError, match="the keyring has no password for lab-admin"):
        contexts.password_for(contexts.Context("k", PROD_URL, "lab-admin", keyring=True), {})


def test_no_default_file_without_home(tmp_path: Path) -> None:
    """A test's env dict without HOME reads no file: no current context appears."""
    with pytest.raises(ConfigError, match="no vCenter URL given"):
        resolve_settings(env={})
    assert os.environ.get("VMCCTL_CONFIG") is None
