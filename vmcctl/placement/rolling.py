"""The rolling maintenance window: which hosts go down together, when, and where VMs go.

    plan = plan_window(inventory, cluster_moid, host_moids, WindowOptions(max_down=2,
                                                                          restore=True))
    plan.relocations, plan.lower_bound, plan.steps[0].hosts, plan.to_dict()

Pure: no I/O, no pyVmomi. The window is a list of *steps*, one per group of
hosts that are in maintenance together (``groups.plan_groups``). Each step has
three *phases* of moves:

- ``before``: moves that must end before the group enters maintenance (its
  own VMs in the first step, or every step when the window is serial);
- ``during``: moves that run while the group is in maintenance and its
  ``--each`` work runs (overlapped window: the next group's evacuation and
  the previous group's homecoming);
- ``after``: moves once the group is out of maintenance (serial window: its
  homecoming; overlapped: only the last group's).

A VM leaving a host in phase E goes to a host whose own absence (being
emptied or in maintenance) does not overlap the VM's stay there (until its
homecoming, or for good without ``restore``): then it moves exactly once
away and once home, the lower bound. Only when no such host can take it does
it go elsewhere, and the plan counts the extra moves this forces.
``phase_moves`` is the one function that decides a phase's moves; the
executor calls it on a live inventory before each phase, so the rest of the
window is re-planned from what is really there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from vmcctl.errors import PrecheckError
from vmcctl.model import Inventory
from vmcctl.placement.advisor import best_host, check_fault_domain
from vmcctl.placement.evacuation import evacuation_order
from vmcctl.placement.filters import Ask
from vmcctl.placement.plan import Move, Stays
from vmcctl.placement.request import MovePriority, PlacementOptions
from vmcctl.placement.rolling_groups import Admission, admission, admit, plan_groups
from vmcctl.placement.state import Projection

PhaseName = Literal["before", "during", "after"]
PHASES: tuple[PhaseName, ...] = ("before", "during", "after")
WINDOW_COLUMNS = ("step", "phase", "hosts in maintenance", "VM", "from", "to", "why")


@dataclass(frozen=True)
class WindowOptions:
    max_down: int = 1
    restore: bool = False
    priority: MovePriority = "default"
    placement: PlacementOptions = field(default_factory=PlacementOptions)
    overlap: bool | None = None  # None: overlapped when that keeps the lower bound

    def __post_init__(self) -> None:
        if self.max_down < 1:
            raise PrecheckError(f"--max-down must be at least 1, not {self.max_down}")


@dataclass(frozen=True)
class Timeline:
    """When each group is away and when its VMs are away (phase numbers 3k+0..2)."""

    groups: tuple[tuple[str, ...], ...]
    overlap: bool
    restore: bool

    def evac(self, g: int) -> int:
        return 3 * (g - 1) + 1 if self.overlap and g > 0 else 3 * g

    def back(self, g: int) -> int:
        """The last phase the group is unavailable (its ``during``)."""
        return 3 * g + 1

    def home(self, g: int) -> float:
        if not self.restore:
            return float("inf")
        last = len(self.groups) - 1
        return 3 * (g + 1) + 1 if self.overlap and g < last else 3 * g + 2

    def unavailable(self, phase: int) -> set[int]:
        return {g for g in range(len(self.groups)) if self.evac(g) <= phase <= self.back(g)}

    def safe(self, g: int, stay_from: int, stay_until: float) -> bool:
        """May a VM stay on group ``g`` over [stay_from, stay_until)?"""
        return not (stay_from <= self.back(g) and self.evac(g) < stay_until)


@dataclass
class Context:
    """What every phase decision needs: groups, homes, options."""

    timeline: Timeline
    homes: dict[str, str]  # VM moid -> home host moid (where it was when the window began)
    options: WindowOptions
    group_of: dict[str, int] = field(default_factory=dict)  # host moid -> group index

    def __post_init__(self) -> None:
        self.group_of = {h: g for g, hosts in enumerate(self.timeline.groups) for h in hosts}


@dataclass(frozen=True)
class PhasePlan:
    moves: tuple[Move, ...]
    why: tuple[str, ...]  # per move: "leave", "home" or "again" (an extra move)
    unplaced: tuple[str, ...] = ()  # VM names no host could take


def phase_moves(proj: Projection, ctx: Context, step: int, phase: PhaseName, *,
                evacuate: Sequence[int] = ()) -> PhasePlan:
    """The moves of one phase on ``proj`` (applied to it): homecomings, then departures.

    ``evacuate``: groups to empty in this phase too (VMs that appeared on a group
    after its own departure phase).
    """
    tl, n = ctx.timeline, len(ctx.timeline.groups)
    p = 3 * step + PHASES.index(phase)
    moves: list[Move] = []
    why: list[str] = []
    unplaced: list[str] = []
    homecoming = [g for g in range(n) if tl.home(g) == p]
    for g in homecoming:
        for vm_moid in sorted(v for v, h in ctx.homes.items() if ctx.group_of.get(h) == g):
            home = proj.index.get(ctx.homes[vm_moid])
            where = proj.location.get(vm_moid)
            vm = proj.vms.get(vm_moid)
            if home is None or where is None or vm is None or where == home or \
                    not vm.powered_on:
                continue
            moves.append(_move(proj, vm_moid, where, home, ctx.options.priority))
            why.append("home")
            proj.apply(vm_moid, home)
    absent = tl.unavailable(p)
    avoid = frozenset(h for g in absent for h in tl.groups[g])
    leaving_groups = [g for g in range(n) if tl.evac(g) == p or g in evacuate]
    for g in leaving_groups:
        on_group = [proj.vms[v] for v, i in proj.location.items()
                    if proj.moids[i] in tl.groups[g] and proj.vms[v].powered_on
                    and proj.vms[v].readable]
        for vm in evacuation_order(on_group, proj):
            own = ctx.homes.get(vm.moid)
            if own is None:  # appeared since the window began: this host is its home
                own = ctx.homes[vm.moid] = proj.moids[proj.location[vm.moid]]
            home_group = ctx.group_of.get(own)
            until = tl.home(home_group) if home_group is not None else float("inf")
            target = _place(proj, ctx, vm.moid, p, until, avoid)
            if target is None:
                unplaced.append(vm.name)
                continue
            moves.append(_move(proj, vm.moid, proj.location[vm.moid], target,
                               ctx.options.priority))
            why.append("leave" if home_group == g else "again")
            proj.apply(vm.moid, target)
    return PhasePlan(tuple(moves), tuple(why), tuple(unplaced))


def _move(proj: Projection, vm: str, source: int, target: int, priority: MovePriority) -> Move:
    return Move(proj.vm_name(vm), vm, proj.names[source], proj.moids[source],
                proj.names[target], proj.moids[target], priority)


def _place(proj: Projection, ctx: Context, vm_moid: str, phase: int, until: float,
           avoid: frozenset[str]) -> int | None:
    """Best host for a leaving VM: first where it can stay until home, then anywhere."""
    tl = ctx.timeline
    options = replace(ctx.options.placement, avoid_hosts=avoid)
    ask = Ask.build(proj, proj.vms[vm_moid], options)
    partners_home = _anti_affinity_homes(proj, ctx, vm_moid)
    safe: dict[int, list[int]] = {}
    unsafe: list[int] = []
    for i, moid in enumerate(proj.moids):
        if moid in avoid or moid in partners_home:
            continue
        g = ctx.group_of.get(moid)
        if g is None or tl.safe(g, phase, until):
            safe.setdefault(_demand(ctx, g, phase, until), []).append(i)
        else:
            unsafe.append(i)
    for demand in sorted(safe):
        target = best_host(ask, proj, safe[demand])
        if target is not None:
            return target
    return best_host(ask, proj, unsafe)


def _demand(ctx: Context, g: int | None, phase: int, until: float) -> int:
    """How many groups leaving later, while this VM is away, could also use group ``g``."""
    tl = ctx.timeline
    if g is None:
        return len(tl.groups)  # hosts outside the window: keep them for whoever needs them
    count = 0
    for other in range(len(tl.groups)):
        start = tl.evac(other)
        if phase < start < until and tl.safe(g, start, tl.home(other)):
            count += 1
    return count


def _anti_affinity_homes(proj: Projection, ctx: Context, vm_moid: str) -> set[str]:
    """Home hosts of the VM's anti-affinity partners: parking there breaks the rule later."""
    if not ctx.options.restore:
        return set()
    out: set[str] = set()
    for rule in proj.rules_of.get(vm_moid, ()):
        if rule.kind == "vm-anti-affinity" and rule.mandatory:
            out.update(ctx.homes[v] for v in rule.vm_moids if v != vm_moid and v in ctx.homes)
    return out


@dataclass(frozen=True)
class WindowStep:
    index: int
    hosts: tuple[str, ...]  # moids
    host_names: tuple[str, ...]
    phases: dict[str, PhasePlan]

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.index + 1, "hosts": list(self.host_names),
                "host_moids": list(self.hosts),
                **{name: [{**m.to_dict(), "why": w} for m, w in zip(p.moves, p.why,
                                                                     strict=True)]
                   for name, p in self.phases.items()}}


@dataclass(frozen=True)
class WindowPlan:
    cluster: str
    cluster_moid: str
    steps: tuple[WindowStep, ...]
    overlap: bool
    restore: bool
    homes: dict[str, str]
    lower_bound: int
    admission: Admission
    stays: tuple[Stays, ...] = ()  # powered-off VMs that stay on the serviced hosts

    @property
    def relocations(self) -> int:
        return sum(len(p.moves) for s in self.steps for p in s.phases.values())

    @property
    def unplaced(self) -> tuple[str, ...]:
        return tuple(v for s in self.steps for p in s.phases.values() for v in p.unplaced)

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        return tuple(s.hosts for s in self.steps)

    def rows(self) -> list[tuple[str, ...]]:
        out: list[tuple[str, ...]] = []
        for s in self.steps:
            for name, p in s.phases.items():
                for m, w in zip(p.moves, p.why, strict=True):
                    out.append((str(s.index + 1), name, ", ".join(s.host_names), m.vm,
                                m.source, m.target, w))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "cluster_moid": self.cluster_moid,
                "overlap": self.overlap, "restore": self.restore,
                "relocations": self.relocations, "lower_bound": self.lower_bound,
                "extra_moves": self.relocations - self.lower_bound,
                "unplaced": list(self.unplaced), "admission": self.admission.to_dict(),
                "stays": [s.to_dict() for s in self.stays],
                "steps": [s.to_dict() for s in self.steps]}


def window_context(groups: Sequence[Sequence[str]], homes: dict[str, str],
                   options: WindowOptions, overlap: bool) -> Context:
    return Context(Timeline(tuple(tuple(g) for g in groups), overlap, options.restore),
                   dict(homes), options)


def simulate(inv: Inventory, ctx: Context) -> list[WindowStep]:
    """Every phase of the window on one projection (maintenance flags included)."""
    proj = Projection.from_inventory(inv)
    steps = []
    for k, group in enumerate(ctx.timeline.groups):
        phases: dict[str, PhasePlan] = {}
        phases["before"] = phase_moves(proj, ctx, k, "before")
        for h in group:
            proj.in_maintenance[proj.index[h]] = True
        phases["during"] = phase_moves(proj, ctx, k, "during")
        for h in group:
            proj.in_maintenance[proj.index[h]] = False
        phases["after"] = phase_moves(proj, ctx, k, "after")
        steps.append(WindowStep(k, tuple(group), tuple(proj.host_name(h) for h in group),
                                phases))
    return steps


def initial_homes(inv: Inventory, hosts: Sequence[str]) -> dict[str, str]:
    """Powered-on VMs on the serviced hosts: where they are now is where they go home."""
    wanted = set(hosts)
    return {v.moid: v.host_moid for v in inv.vms
            if v.host_moid in wanted and v.powered_on and v.readable}


def plan_window(inv: Inventory, cluster_moid: str, hosts: Sequence[str],
                options: WindowOptions | None = None) -> WindowPlan:
    """The whole window; ``PrecheckError`` (exit 2) when admission refuses it."""
    options = options or WindowOptions()
    check_fault_domain(Projection.from_inventory(inv), options.placement)
    cluster = inv.cluster(cluster_moid)
    first = admit(inv, cluster, hosts, options.max_down, options.placement)
    if not first.ok:
        raise PrecheckError(first.message(), hint=first.hint())
    groups = plan_groups(inv, cluster, hosts, options.max_down, options.placement)
    homes = initial_homes(inv, hosts)
    bound = len(homes) * (2 if options.restore else 1)
    tries = [options.overlap] if options.overlap is not None else [True, False]
    best: WindowPlan | None = None
    refused: Admission | None = None
    for overlap in tries:
        check = admission(inv, cluster, groups, options.placement, overlap=overlap)
        if not check.ok:
            refused = refused or check
            continue
        ctx = window_context(groups, homes, options, overlap)
        plan = WindowPlan(cluster.name, cluster.moid, tuple(simulate(inv, ctx)), overlap,
                          options.restore, homes, bound, check)
        if best is None or (len(plan.unplaced), plan.relocations) < \
                (len(best.unplaced), best.relocations):
            best = plan
        if not plan.unplaced and plan.relocations == bound:
            break
    if best is None:
        assert refused is not None
        raise PrecheckError(refused.message(), hint=refused.hint())
    wanted = set(hosts)
    stays = sorted((Stays(v.name, v.moid, v.power_state, inv.host(v.host_moid).name,
                          moved_by=None)
                    for v in inv.vms if v.host_moid in wanted and v.readable
                    and not v.powered_on), key=lambda s: (s.host, s.vm, s.vm_moid))
    return replace(best, stays=tuple(stays))
