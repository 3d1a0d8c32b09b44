"""Find the Go toolchain and govmomi source, and build the simulator binary.

The simulator is our own Go program (``vmcctl/sim/go``) built in GOPATH mode
against the govmomi source that Debian ships (``golang-github-vmware-govmomi-dev``).
``ensure_binary`` rebuilds only when a Go source file is newer than the
binary, so a second call costs a few stat() calls.
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
GOVMOMI_PACKAGE = "golang-github-vmware-govmomi-dev"
_GOVMOMI_SUFFIX = "/src/github.com/vmware/govmomi"
INSTALL_HINT = f"install them with: apt-get install -y golang-go {GOVMOMI_PACKAGE}"


def binary_path() -> Path:
    """Where the simulator binary lives (``VMCCTL_VCSIM_BIN`` overrides)."""
    override = os.environ.get("VMCCTL_VCSIM_BIN")
    return Path(override) if override else BIN_DIR / BINARY_NAME


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


def _newest_source_mtime() -> float:
    return max((p.stat().st_mtime for p in GO_ROOT.rglob("*.go")), default=0.0)


def needs_build(binary: Path | None = None) -> bool:
    target = binary or binary_path()
    if not target.exists():
        return True
    return _newest_source_mtime() > target.stat().st_mtime


def build(binary: Path | None = None) -> Path:
    """Build the simulator binary unconditionally; returns its path."""
    target = binary or binary_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GO111MODULE="off",
               GOPATH=f"{GO_ROOT}{os.pathsep}{govmomi_gopath()}")
    cmd = [find_go(), "build", "-o", str(target), BINARY_NAME]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise SimulatorError(f"building the simulator failed:\n{tail}")
    return target


def ensure_binary() -> Path:
    """The simulator binary, built first if missing or older than its sources."""
    target = binary_path()
    if os.environ.get("VMCCTL_VCSIM_BIN"):
        if not target.exists():
            raise SimulatorError(f"VMCCTL_VCSIM_BIN names a missing file: {target}")
        return target
    if needs_build(target):
        build(target)
    return target
