"""``vmcctl sim``: run, build and generate inventories for the local simulator."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click
import yaml

from vmcctl.sim import build as sim_build
from vmcctl.sim.inventory import load_inventory
from vmcctl.sim.server import SimServer


@click.group()
def sim() -> None:
    """The local vCenter simulator: rehearse operations without a real vCenter."""


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@sim.command()
@click.option("--inventory", "inventory_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Inventory YAML (see docs/simulator.md; vmcctl/sim/inventories/seed.yaml).")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port on 127.0.0.1; 0 picks a free one.")
@click.option("--time-scale", default=1.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Divide modelled vMotion durations by this (10 = ten times faster).")
@click.option("--plain-http", is_flag=True, help="Serve plain HTTP instead of HTTPS.")
def serve(inventory_file: Path, port: int, time_scale: float, plain_http: bool) -> None:
    """Serve the vSphere SDK for an inventory until interrupted.

    The first line on stdout is the SDK URL; stderr says where the
    self-signed certificate is (pass it to --ca-file) and which user to log
    in as. Stop it with Ctrl-C or SIGTERM.
    """
    spec = load_inventory(inventory_file)
    server = SimServer(spec, port=port, time_scale=time_scale, plain_http=plain_http)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        endpoint = server.start()
        click.echo(endpoint.url)
        sys.stdout.flush()
        if endpoint.cert_file is not None:
            click.echo(f"certificate: {endpoint.cert_file}", err=True)
        hosts = len(spec.hosts)
        click.echo(f"serving {spec.datacenter}: {hosts} hosts, {len(spec.vms)} VMs; "
                   f"log in as {spec.credentials.username!r} (password from the inventory); "
                   "Ctrl-C to stop", err=True)
        code = server.wait()
        raise click.exceptions.Exit(0 if code in (0, -signal.SIGTERM) else 1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@sim.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the binary is up to date.")
def build_cmd(force: bool) -> None:
    """Build the simulator binary from its Go source (needs Go and govmomi's source)."""
    target = sim_build.binary_path()
    if force or sim_build.needs_build(target):
        sim_build.build(target)
        click.echo(f"built {target}")
    else:
        click.echo(f"up to date: {target}")


@sim.command()
@click.option("--hosts", default=96, show_default=True, type=click.IntRange(1, 4096))
@click.option("--vms", default=10000, show_default=True, type=click.IntRange(0, 200000))
@click.option("--fault-domains", default=3, show_default=True, type=click.IntRange(1, 16))
@click.option("--seed", default=0, show_default=True, type=int,
              help="Random seed; the same options always give the same file.")
def generate(hosts: int, vms: int, fault_domains: int, seed: int) -> None:
    """Print a large, deterministic inventory YAML on stdout."""
    from vmcctl.sim.generate import generate_inventory

    doc = generate_inventory(hosts=hosts, vms=vms, fault_domains=fault_domains, seed=seed)
    yaml.safe_dump(doc, sys.stdout, sort_keys=False, default_flow_style=None, width=200)
