"""ops.vcheck: re-planning around vCenter's refusals ends, and asks each VM a bounded number
of times; ``prepare_migration`` asks for the move's privileges once however many candidates
vCenter refuses (stand-ins answer CheckRelocate_Task from a table and grant privileges; no
simulator)."""

from __future__ import annotations

from typing import Any

import pytest

from vmcctl.errors import PermissionDeniedError
from vmcctl.executor.journal import MoveRecord
from vmcctl.ops import migrate
from vmcctl.ops.vcheck import MAX_CHECKS_PER_VM, VCenterCheck, fail_refused, vet_moves
from vmcctl.sim.inventory import parse_inventory
from vmcctl.sim.offline import inventory_from_spec
from vmcctl.vsphere.compat import CompatVerdict
from vmcctl.vsphere.privileges import Need

HOSTS = [f"host-{i}" for i in range(1, 9)]


class TableCheck(VCenterCheck):
    """vCenter refuses every (vm, host) in ``refused``; counts the questions."""

    def __init__(self, refused: set[tuple[str, str]]) -> None:
        super().__init__(client=object())  # type: ignore[arg-type]  # never called
        self.refused = refused
        self.questions = 0

    def check(self, vm_moid: str, host_moid: str, pool_moid: str | None,
              pool_kind: str = "ResourcePool") -> CompatVerdict:
        key = (vm_moid, host_moid)
        if key not in self.verdicts:
            self.questions += 1
            self.asked[vm_moid] = self.asked.get(vm_moid, 0) + 1
            refused = key in self.refused
            errors = ("FeatureRequirementsNotMet: no",) if refused else ()
            self.verdicts[key] = CompatVerdict(
                vm_moid, host_moid, "errors" if errors else "ok", errors,
                fault_type="FeatureRequirementsNotMet" if refused else None)
        return self.verdicts[key]


def _planner(vms: list[str]) -> Any:
    """The first host not refused for each VM, like an advisor with vcenter_rejects."""
    def plan(rejects: tuple[tuple[str, str, str], ...]) -> list[MoveRecord]:
        out = []
        for vm in vms:
            free = [h for h in HOSTS if (vm, h) not in {(v, h2) for v, h2, _ in rejects}]
            if free:
                out.append(MoveRecord(vm=vm, vm_moid=vm, origin="src", origin_moid="host-0",
                                      target=free[0], target_moid=free[0], pool_moid="rp"))
        return out
    return plan


def test_refused_targets_are_planned_around() -> None:
    check = TableCheck({("vm-1", "host-1"), ("vm-1", "host-2")})
    moves = vet_moves(check, HOSTS, _planner(["vm-1", "vm-2"]), lambda m: m)
    assert {m.vm_moid: m.target_moid for m in moves} == {"vm-1": "host-3", "vm-2": "host-1"}
    assert [r[:2] for r in check.rejects] == [("vm-1", "host-1"), ("vm-1", "host-2")]


def test_a_vm_refused_everywhere_is_asked_a_bounded_number_of_times() -> None:
    check = TableCheck({("vm-1", h) for h in HOSTS})
    moves = vet_moves(check, HOSTS, _planner(["vm-1", "vm-2"]), lambda m: m)
    assert [m.vm_moid for m in moves] == ["vm-2"]  # vm-1 became unplaceable
    assert check.asked["vm-1"] == MAX_CHECKS_PER_VM < len(HOSTS)
    assert check.questions == MAX_CHECKS_PER_VM + 1


def test_a_planner_that_cannot_avoid_a_refused_host_ends_and_the_move_fails_unsent() -> None:
    """A VM going home has one target: the window's home phase plans it there again
    whatever vCenter said. The loop ends (it used to re-plan forever, asking nothing) and
    fail_refused fails that move without a target, so the runner never submits it."""
    check = TableCheck({("vm-1", "host-1")})
    plans: list[int] = []

    def home(rejects: tuple[tuple[str, str, str], ...]) -> list[MoveRecord]:
        plans.append(len(rejects))
        return [MoveRecord(vm=vm, vm_moid=vm, origin="away", origin_moid="host-9",
                           target="host-1", target_moid="host-1", pool_moid="")
                for vm in ("vm-1", "vm-2")]

    moves = vet_moves(check, HOSTS, home, lambda m: m)
    assert plans == [0, 1] and check.questions == 2
    fail_refused(check, moves)
    assert [(m.vm_moid, m.state, m.target_moid) for m in moves] == [
        ("vm-1", "failed", ""), ("vm-2", "pending", "host-1")]
    assert moves[0].fault == "FeatureRequirementsNotMet"
    assert moves[0].reason == "vCenter's compatibility check refuses host-1: " \
                              "FeatureRequirementsNotMet: no"


def test_skipped_check_plans_once_and_asks_nothing() -> None:
    check = VCenterCheck(None)
    calls: list[int] = []

    def plan(rejects: tuple[tuple[str, str, str], ...]) -> list[MoveRecord]:
        calls.append(len(rejects))
        return []

    vet_moves(check, HOSTS, plan, lambda m: m)
    assert calls == [0] and check.status == "skipped"


# --- prepare_migration asks for the move's privileges once -----------------------------

@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[list[Need]]:
    """Every require_privileges question (a stand-in that grants them)."""
    questions: list[list[Need]] = []

    def require(client: Any, needs: list[Need], *, action: str) -> None:
        questions.append(list(needs))

    monkeypatch.setattr(migrate, "require_privileges", require)
    return questions


def _inv() -> Any:
    """src runs app; h1, h2, h3 are empty, in the advisor's order of preference."""
    hosts = [{"name": name, "cpu_cores": 8, "cpu_mhz_per_core": 2000, "memory_gb": 64,
              "background_cpu_mhz": load} for name, load in
             (("src", 9000), ("h1", 100), ("h2", 600), ("h3", 1200))]
    return inventory_from_spec(parse_inventory({
        "clusters": [{"name": "C1", "hosts": hosts}],
        "datastores": [{"name": "ds", "capacity_gb": 100, "free_gb": 50}],
        "vms": [{"name": "app", "host": "src", "cpus": 1, "memory_gb": 2, "datastore": "ds",
                 "cpu_usage_mhz": 300, "memory_usage_gb": 1}]}))


def test_privileges_are_asked_once_while_refused_candidates_are_replaced(
        asked: list[list[Need]], monkeypatch: pytest.MonkeyPatch) -> None:
    inv = _inv()
    app = inv.find_vm("app")
    refused = {(app.moid, inv.find_host(name).moid) for name in ("h1", "h2")}
    monkeypatch.setattr(migrate, "VCenterCheck", lambda client: TableCheck(refused))
    prepared = migrate.prepare_migration(inv, migrate.MigrateRequest("app", auto=True),
                                         client=object())  # type: ignore[arg-type]
    assert prepared.target.name == "h3"  # h1 and h2 refused by vCenter, in the advisor's order
    assert len(asked) == 1
    assert "Resource.HotMigrate" in [n.privilege for n in asked[0]]


def test_a_missing_privilege_still_stops_the_first_candidate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(client: Any, needs: list[Need], *, action: str) -> None:
        raise PermissionDeniedError(f"{action}: missing {needs[0].privilege}",
                                    fault_type="NoPermission")

    monkeypatch.setattr(migrate, "require_privileges", refuse)
    monkeypatch.setattr(migrate, "VCenterCheck", lambda client: TableCheck(set()))
    with pytest.raises(PermissionDeniedError, match=r"Resource\.HotMigrate"):
        migrate.prepare_migration(_inv(), migrate.MigrateRequest("app", auto=True),
                                  client=object())  # type: ignore[arg-type]
