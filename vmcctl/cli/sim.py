"""``vmcctl sim``: run, build and generate inventories for the local simulator."""

from __future__ import annotations

import json
import shlex
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from vmcctl.cli.render import emit_json, output_option, say

if TYPE_CHECKING:  # the simulator layer (pydantic, requests) loads when a command runs
    from vmcctl.sim.server import SimEndpoint, SimServer, StockSimServer


@click.group(short_help="Run a local vCenter simulator.")
def sim() -> None:
    """The local vCenter simulator: rehearse operations without a real vCenter.

    \b
    Examples:
      vmcctl sim serve --inventory vmcctl/sim/inventories/seed.yaml
      vmcctl sim generate --hosts 32 --vms 640 > big.yaml
    """


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


_STOCK_ONLY = ("dc", "clusters", "hosts", "standalone_hosts", "vms")


@sim.command(short_help="Serve the vSphere API for an inventory.")
@click.option("--inventory", "inventory_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Inventory YAML (see docs/simulator.md), or a bundled one by name: "
                   "seed, vmc (VMware Cloud on AWS).")
@click.option("--stock", is_flag=True,
              help="Serve govmomi's stock simulator instead (its default VPX model, "
                   "no vmcctl extensions; log in as user/pass).")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port on 127.0.0.1; 0 picks a free one.")
@click.option("--time-scale", default=1.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Divide modelled vMotion durations by this (10 = ten times faster).")
@click.option("--plain-http", is_flag=True, help="Serve plain HTTP instead of HTTPS.")
@click.option("--dc", default=1, show_default=True, type=click.IntRange(1, 64),
              help="With --stock: datacenters (vcsim's -dc).")
@click.option("--clusters", default=1, show_default=True, type=click.IntRange(0, 64),
              help="With --stock: clusters per datacenter (vcsim's -cluster).")
@click.option("--hosts", default=3, show_default=True, type=click.IntRange(0, 256),
              help="With --stock: hosts per cluster (vcsim's -host).")
@click.option("--standalone-hosts", default=1, show_default=True, type=click.IntRange(0, 64),
              help="With --stock: standalone hosts per datacenter (vcsim's -standalone-host).")
@click.option("--vms", default=2, show_default=True, type=click.IntRange(0, 4096),
              help="With --stock: VMs per resource pool and standalone host (vcsim's -vm).")
@output_option
@click.pass_context
def serve(ctx: click.Context, inventory_file: Path | None, stock: bool, port: int,
          time_scale: float, plain_http: bool, dc: int, clusters: int, hosts: int,
          standalone_hosts: int, vms: int, output: str) -> None:
    """Serve the vSphere SDK for an inventory (or govmomi's stock model) until interrupted.

    The first line on stdout is the SDK URL; stderr says where the
    self-signed certificate is, the user and password the simulator accepts
    (its own, not secrets) and the `export VMCCTL_...` lines for another
    shell. With -o json the first line is instead one JSON object: url,
    ca_file (the certificate, null with --plain-http) and username. Stop it
    with Ctrl-C or SIGTERM.

    \b
    Examples:
      vmcctl sim serve --inventory vmcctl/sim/inventories/seed.yaml
      vmcctl sim serve --inventory seed.yaml --time-scale 10 --plain-http
      vmcctl sim serve --stock --hosts 8 --vms 4 -o json
    """
    from vmcctl.sim.inventory import load_inventory
    from vmcctl.sim.server import SimServer, StockModel, StockSimServer

    given = {name for name in (*_STOCK_ONLY, "time_scale")
             if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT}
    server: SimServer | StockSimServer
    if stock:
        if inventory_file is not None:
            raise click.UsageError("--stock serves govmomi's own model: drop --inventory")
        if "time_scale" in given:
            raise click.UsageError("--time-scale needs vmcctl's simulator: drop --stock")
        model = StockModel(datacenters=dc, clusters=clusters, hosts=hosts,
                           standalone_hosts=standalone_hosts, vms=vms)
        server = StockSimServer(model, port=port, plain_http=plain_http)
        banner = (f"serving govmomi's stock simulator: {dc} datacenter(s), "
                  f"{dc * (clusters * hosts + standalone_hosts)} hosts")
    else:
        if inventory_file is None:
            raise click.UsageError("give --inventory FILE, or --stock for govmomi's own model")
        stray = sorted(given & set(_STOCK_ONLY))
        if stray:
            names = ", ".join("--" + name.replace("_", "-") for name in stray)
            raise click.UsageError(f"{names} only apply with --stock")
        spec = load_inventory(inventory_file)
        server = SimServer(spec, port=port, time_scale=time_scale, plain_http=plain_http)
        banner = f"serving {spec.datacenter}: {len(spec.hosts)} hosts, {len(spec.vms)} VMs"
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        endpoint = server.start()
        if output == "json":
            click.echo(json.dumps({"url": endpoint.url, "username": endpoint.username,
                                   "ca_file": str(endpoint.cert_file)
                                   if endpoint.cert_file is not None else None}))
        else:
            click.echo(endpoint.url)
        sys.stdout.flush()
        if endpoint.cert_file is not None:
            click.echo(f"certificate: {endpoint.cert_file}", err=True)
        click.echo(f"{banner}; log in as {endpoint.username} / {endpoint.password} (the "
                   "simulator's own, not a secret); Ctrl-C to stop", err=True)
        click.echo(_exports(endpoint), err=True)
        code = server.wait()
        raise click.exceptions.Exit(0 if code in (0, -signal.SIGTERM) else 1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _exports(endpoint: SimEndpoint) -> str:
    """Shell lines that point vmcctl in another terminal at this simulator."""
    q = shlex.quote
    lines = ["In another shell:", f"  export VMCCTL_URL={q(endpoint.url)}",
             f"  export VMCCTL_USERNAME={q(endpoint.username)} "
             f"VMCCTL_PASSWORD={q(endpoint.password)}"]
    if endpoint.cert_file is not None:
        lines.append(f"  export VMCCTL_CA_FILE={q(str(endpoint.cert_file))}")
    return "\n".join(lines)


@sim.command("build", short_help="Build the simulator from its Go source.")
@click.option("--force", is_flag=True, help="Rebuild even when the binaries are up to date.")
@output_option
def build_cmd(force: bool, output: str) -> None:
    """Build the simulator binaries from their Go source (needs Go and govmomi's source):
    vmcctl's simulator and govmomi's stock one (for ``serve --stock``).

    \b
    Examples:
      vmcctl sim build
      vmcctl sim build --force -o json
    """
    from vmcctl.sim import build as sim_build

    binaries = []
    for name in (sim_build.BINARY_NAME, sim_build.STOCK_BINARY_NAME):
        target = sim_build.binary_path(name)
        built = force or sim_build.needs_build(target, name)
        if built:
            sim_build.build(target, name)
        binaries.append({"binary": str(target), "built": built})
        if output != "json":
            say(f"built {target}" if built else f"up to date: {target}")
    if output == "json":
        emit_json(binaries)


@sim.command(short_help="Print a large generated inventory.")
@click.option("--hosts", default=96, show_default=True, type=click.IntRange(1, 4096))
@click.option("--vms", default=10000, show_default=True, type=click.IntRange(0, 200000))
@click.option("--fault-domains", default=3, show_default=True, type=click.IntRange(1, 16))
@click.option("--seed", default=0, show_default=True, type=int,
              help="Random seed; the same options always give the same file.")
@output_option
def generate(hosts: int, vms: int, fault_domains: int, seed: int, output: str) -> None:
    """Print a large, deterministic inventory on stdout: YAML (-o json: JSON).

    \b
    Examples:
      vmcctl sim generate --hosts 32 --vms 640 > big.yaml
      vmcctl sim serve --inventory big.yaml
    """
    import yaml

    from vmcctl.sim.generate import generate_inventory

    doc = generate_inventory(hosts=hosts, vms=vms, fault_domains=fault_domains, seed=seed)
    if output == "json":
        emit_json(doc)
        return
    yaml.safe_dump(doc, sys.stdout, sort_keys=False, default_flow_style=None, width=200)
