"""``vmcctl config``: named contexts in ``~/.config/vmcctl/config.yaml``.

The file's format, where passwords come from and the checks live in
``vmcctl.vsphere.contexts``; which source wins in ``vmcctl.vsphere.settings``.
These commands only parse, call and render.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from vmcctl.cli.render import emit_json, output_option, stdout_console, table
from vmcctl.errors import ConfigError
from vmcctl.vsphere import contexts


def _store() -> contexts.ContextFile:
    path = contexts.config_path(os.environ)
    if path is None:
        raise ConfigError("no config file location: neither VMCCTL_CONFIG, XDG_CONFIG_HOME "
                          "nor HOME is set", hint="set VMCCTL_CONFIG=FILE")
    return contexts.load_contexts(path)


@click.group(short_help="Named contexts: which vCenter, as whom.")
def config() -> None:
    """Named contexts: which vCenter, as whom, where its password is.

    The file is $VMCCTL_CONFIG, else $XDG_CONFIG_HOME/vmcctl/config.yaml
    (~/.config/vmcctl/config.yaml). It never holds a password: a context
    names an environment variable, a command or the system keyring.
    Choose one with `vmcctl config use-context NAME`, or `--context NAME` /
    VMCCTL_CONTEXT on any command.

    \b
    Examples:
      vmcctl config set-context lab --url vc-lab.example.com \\
          --username administrator@vsphere.local --password-cmd "pass show vc/lab"
      vmcctl config use-context lab
      vmcctl --context lab inventory hosts
    """


@config.command("set-context", short_help="Add or replace a context.")
@click.argument("name")
@click.option("--url", required=True, metavar="URL", help="vCenter SDK URL (no password in it).")
@click.option("--username", required=True, metavar="USER", help="The user to log in as.")
@click.option("--password-env", metavar="VAR",
              help="Read the password from the environment variable VAR.")
@click.option("--password-cmd", metavar="CMD",
              help="Run CMD (split like a shell would, run without one) and use its "
                   "stdout, the trailing line break removed.")
@click.option("--keyring", "use_keyring", is_flag=True,
              help="Keep the password in the system keyring (needs the keyring package; "
                   "asks for the password on a terminal).")
@click.option("--ca-file", metavar="PEM", type=click.Path(dir_okay=False, path_type=Path),
              help="Trust this CA / certificate for this vCenter.")
@click.option("--insecure", is_flag=True, help="Do not verify this vCenter's certificate.")
def set_context(name: str, url: str, username: str, password_env: str | None,
                password_cmd: str | None, use_keyring: bool, ca_file: Path | None,
                insecure: bool) -> None:
    """Add the context NAME, or replace it, in the config file (mode 0600).

    Exactly one of --password-env, --password-cmd, --keyring says where the
    password comes from; --ca-file or --insecure how to trust the certificate.

    \b
    Examples:
      vmcctl config set-context lab --url vc-lab.example.com --username admin \\
          --password-env LAB_PASSWORD --ca-file lab-ca.pem
      vmcctl config set-context prod --url vc-prod.example.com \\
          --username admin --keyring
    """
    if ca_file is not None and not ca_file.is_file():
        raise ConfigError(f"--ca-file {ca_file}: no such file", hint="name a PEM file")
    store = _store()
    ctx = contexts.make_context(name, {
        "url": url, "username": username, "password_env": password_env,
        "password_cmd": password_cmd, "keyring": use_keyring or None,
        "ca_file": str(ca_file.resolve()) if ca_file is not None else None,
        "insecure": insecure or None}, "set-context")
    if use_keyring:
        _offer_keyring(ctx)
    store.contexts[name] = ctx
    store.save()
    click.echo(f"context {name} saved in {store.path}", err=True)
    if store.current != name:
        click.echo(f"use it: vmcctl config use-context {name}  (or --context {name})", err=True)


def _offer_keyring(ctx: contexts.Context) -> None:
    keyring = contexts.keyring_module()
    if not sys.stdin.isatty():
        click.echo(f"store the password: keyring set {ctx.keyring_service} {ctx.username}",
                   err=True)
        return
    password = click.prompt(f"password for {ctx.username} at {ctx.url} (kept in the keyring)",
                            hide_input=True, confirmation_prompt=True, err=True)
    keyring.set_password(ctx.keyring_service, ctx.username, password)


@config.command("use-context", short_help="Make a context the current one.")
@click.argument("name")
def use_context(name: str) -> None:
    """Make NAME the current context (used when nothing else names a vCenter).

    \b
    Examples:
      vmcctl config use-context lab
    """
    store = _store()
    store.get(name, "use-context")
    store.current = name
    store.save()
    click.echo(f"current context: {name}", err=True)


@config.command("current-context", short_help="Print the current context's name.")
def current_context() -> None:
    """Print the name of the current context.

    \b
    Examples:
      vmcctl config current-context
    """
    store = _store()
    if store.current is None:
        raise ConfigError(f"no current context in {store.path}",
                          hint="vmcctl config use-context NAME")
    click.echo(store.current)


@config.command("delete-context", short_help="Remove a context.")
@click.argument("name")
def delete_context(name: str) -> None:
    """Remove the context NAME (a keyring entry stays: remove it with `keyring del`).

    \b
    Examples:
      vmcctl config delete-context old-lab
    """
    store = _store()
    store.get(name, "delete-context")
    del store.contexts[name]
    if store.current == name:
        store.current = None
    store.save()
    click.echo(f"context {name} deleted from {store.path}", err=True)


@config.command("get-contexts", short_help="List the contexts.")
@output_option
def get_contexts(output: str) -> None:
    """List the contexts: URL, user, where the password comes from, TLS.

    \b
    Examples:
      vmcctl config get-contexts
      vmcctl config get-contexts -o json | jq -r '.contexts[].name'
    """
    store = _store()
    rows = [{"name": c.name, "current": c.name == store.current, "url": c.url,
             "username": c.username, "password_from": c.password_from,
             "tls": "insecure" if c.insecure else (f"ca {c.ca_file}" if c.ca_file else "system")}
            for c in sorted(store.contexts.values(), key=lambda c: c.name)]
    if output == "json":
        emit_json({"config": str(store.path), "current_context": store.current,
                   "contexts": rows})
        return
    stdout_console().print(table(None, ["CURRENT", "NAME", "URL", "USERNAME", "PASSWORD FROM",
                                        "TLS"],
                                 (["*" if r["current"] else "", r["name"], r["url"],
                                   r["username"], r["password_from"], r["tls"]] for r in rows)))
