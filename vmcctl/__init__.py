"""vmcctl: move live VMs around a vSphere / VMware Cloud on AWS cluster, safely.

Layers (see docs/architecture.md): ``vsphere`` reads and acts on vCenter,
``placement`` decides (pure), ``executor`` carries plans out, ``h2o`` watches
the workload, ``sim`` is the simulator test bed, ``cli`` is the thin front end.
"""

from __future__ import annotations

__version__ = "0.1.0"
