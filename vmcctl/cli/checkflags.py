"""Flags of vCenter's own checks and of the maintenance call, shared by host and cluster commands.

``--no-vcenter-check`` turns off ``ops.vcheck``'s CheckRelocate_Task questions;
``--vsan-mode`` and ``--evacuate-powered-off`` become EnterMaintenanceMode_Task's
``maintenanceSpec.vsanMode.objectAction`` and ``evacuatePoweredOffVms``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from vmcctl.executor.vsan import VSAN_MODES

F = TypeVar("F", bound=Callable[..., Any])

def no_vcenter_check_option(func: F) -> F:
    return click.option(
        "--no-vcenter-check", is_flag=True,
        help="Do not ask vCenter's compatibility check (CheckRelocate_Task) about each "
             "planned target.")(func)


def maintenance_spec_options(func: F) -> F:
    """``--vsan-mode`` and ``--evacuate-powered-off``."""
    func = click.option(
        "--evacuate-powered-off", is_flag=True,
        help="Ask vCenter to move powered-off VMs off too (evacuatePoweredOffVms; vCenter "
             "does it in a DRS cluster).")(func)
    return click.option(
        "--vsan-mode", type=click.Choice(list(VSAN_MODES)), default=None,
        help="vSAN data: the maintenance spec's vsanMode.objectAction "
             "[default: none sent, vCenter's own default].")(func)
