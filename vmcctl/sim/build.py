"""Find the Go toolchain and govmomi source, and build the simulator binaries.

Two Go programs of ours live in ``vmcctl/sim/go/src``, both built in GOPATH
mode against the govmomi source that Debian ships
(``golang-github-vmware-govmomi-dev``):

- ``vmcctl-vcsim``: the project's simulator (inventory files, control
  endpoints, relocation progress, paging ...);
- ``vmcctl-stock-vcsim``: govmomi's ``simulator`` package as govmomi ships
  it (the default VPX model, no vmcctl extensions), for contract tests.

``ensure_binary`` rebuilds only when a Go source file of that program is
newer than its binary, so a second call costs a few stat() calls.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from vmcctl.errors import SimulatorError

GO_ROOT = Path(__file__).resolve().parent / "go"
BIN_DIR = Path(__file__).resolve().parent / "bin"
BINARY_NAME = "vmcctl-vcsim"
STOCK_BINARY_NAME = "vmcctl-stock-vcsim"
_OVERRIDES = {BINARY_NAME: "VMCCTL_VCSIM_BIN", STOCK_BINARY_NAME: "VMCCTL_STOCK_VCSIM_BIN"}
GOVMOMI_PACKAGE = "golang-github-vmware-govmomi-dev"
_GOVMOMI_SUFFIX = "/src/github.com/vmware/govmomi"
INSTALL_HINT = f"install them with: apt-get install -y golang-go {GOVMOMI_PACKAGE}"


def binary_path(name: str = BINARY_NAME) -> Path:
    """Where a simulator binary lives (``VMCCTL_VCSIM_BIN`` for ours and
    ``VMCCTL_STOCK_VCSIM_BIN`` for the stock one override)."""
    override = os.environ.get(_OVERRIDES[name])
    return Path(override) if override else BIN_DIR / name


def find_go() -> str:
    go = shutil.which("go")
    if go is None:
        raise SimulatorError("the Go toolchain is not installed", hint=INSTALL_HINT)
    return go


def govmomi_gopath() -> Path:
    """The GOPATH entry holding govmomi's source (``VMCCTL_GOVMOMI_GOPATH`` overrides)."""
    override = os.environ.get("VMCCTL_GOVMOMI_GOPATH")
    if override:
        return Path(override)
    try:
        listing = subprocess.run(["dpkg", "-L", GOVMOMI_PACKAGE], capture_output=True,
                                 text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        raise SimulatorError("the govmomi Go source is not installed", hint=INSTALL_HINT) from None
    for line in listing.splitlines():
        if line.endswith(_GOVMOMI_SUFFIX):
            return Path(line[: -len(_GOVMOMI_SUFFIX)])
    raise SimulatorError(f"{GOVMOMI_PACKAGE} lists no govmomi source", hint=INSTALL_HINT)


def _newest_source_mtime(name: str) -> float:
    sources = (GO_ROOT / "src" / name).rglob("*.go")
    return max((p.stat().st_mtime for p in sources), default=0.0)


def needs_build(binary: Path | None = None, name: str = BINARY_NAME) -> bool:
    target = binary or binary_path(name)
    if not target.exists():
        return True
    return _newest_source_mtime(name) > target.stat().st_mtime


def build(binary: Path | None = None, name: str = BINARY_NAME) -> Path:
    """Build a simulator binary (ours, or ``STOCK_BINARY_NAME``) unconditionally;
    returns its path."""
    target = binary or binary_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GO111MODULE="off",
               GOPATH=f"{GO_ROOT}{os.pathsep}{govmomi_gopath()}")
    cmd = [find_go(), "build", "-o", str(target), name]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise SimulatorError(f"building {name} failed:\n{tail}")
    return target


def ensure_binary(name: str = BINARY_NAME) -> Path:
    """A simulator binary, built first if missing or older than its sources."""
    target = binary_path(name)
    override = _OVERRIDES[name]
    if os.environ.get(override):
        if not target.exists():
            raise SimulatorError(f"{override} names a missing file: {target}")
        return target
    if needs_build(target, name):
        build(target, name)
    return target
