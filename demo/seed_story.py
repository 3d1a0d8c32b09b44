"""The seed story, end to end, as an operator would run it (``make demo``).

ML-cpu-vm-04 trains a model with H2O on 10.94.24.70 (us-west-2b) in a 9-host
SDDC over two availability zones. We move it, compute only, at high priority,
to the least loaded host of the other zone while watching the training, then
bring it back, and show both verdicts. Then a maintenance window on its host:
the playbook empties 10.94.24.70 (the story's VM with its neighbours), puts
it into maintenance, takes it out and brings the VMs home, with the
continuity gate on the training job and a Gantt chart of the window.

Everything runs locally: the vCenter is vmcctl's simulator (``vmcctl sim
serve``), the guest's H2O is a local H2O-3 (the seed inventory gives the VM the
guest IP 127.0.0.1). The vCenter side goes only through the ``vmcctl`` CLI.
Ctrl-C stops everything this script started.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "vmcctl" / "sim" / "inventories" / "seed.yaml"
OUT = Path(os.environ.get("VMCCTL_DEMO_OUT", REPO / "demo-output"))
VM, HOME = "ML-cpu-vm-04", "10.94.24.70"
WATCH_S = os.environ.get("VMCCTL_DEMO_WATCH_S", "15")
GATE_WINDOW_S = os.environ.get("VMCCTL_DEMO_GATE_WINDOW_S", "10")  # the gate's rate window
TRAIN_S = float(os.environ.get("VMCCTL_DEMO_TRAIN_S", "720"))  # outlasts the story
# A GBM builds its first trees faster than the rest: measure against its steady pace.
WARM_UP_S = float(os.environ.get("VMCCTL_DEMO_WARM_UP_S", "20"))
VMCCTL = [sys.executable, "-m", "vmcctl"]


def say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}", flush=True)


def vmcctl(*args: str, env: dict[str, str], check: bool = True, cwd: Path | None = None) -> int:
    print("$ vmcctl " + " ".join(args), flush=True)
    code = subprocess.run([*VMCCTL, *args], env=env, check=False, cwd=cwd).returncode
    if check and code != 0:
        raise SystemExit(f"demo: `vmcctl {args[0]}` exited {code}")
    return code


def start_simulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([*VMCCTL, "sim", "serve", "--inventory", str(SEED)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    url = proc.stdout.readline().strip()
    cert = ""
    for line in proc.stderr:
        if line.startswith("certificate: "):
            cert = line.split(": ", 1)[1].strip()
        if line.startswith("serving "):
            break
    if not url.startswith("http") or not cert:
        proc.terminate()
        raise SystemExit("demo: the simulator did not start")
    env = dict(os.environ, VMCCTL_URL=url, VMCCTL_USERNAME="user", VMCCTL_PASSWORD="pass",
               VMCCTL_CA_FILE=cert)
    print(f"vCenter simulator at {url} (TLS verified with its certificate {cert})")
    return proc, env


def verdict_line(report: Path) -> tuple[bool, str]:
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    v, meta = data["verdict"], data["meta"]
    ratio = "n/a" if v["ratio"] is None else f"{v['ratio']:.2f}"
    polls = v["continuity"]
    text = (f"{meta.get('source')} -> {meta.get('target')}: {v['outcome']} - "
            f"progress rate during/before {ratio} (threshold {v['threshold']}), longest stall "
            f"{v['longest_stall_s']:.1f} s, polls answered "
            f"{polls['polls'] - polls['failed_polls']}/{polls['polls']}")
    return v["outcome"] == "PASS", text


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def story(env: dict[str, str], watch: str, h2o_url: str,
          job_key: str) -> tuple[list[tuple[Path, int]], tuple[Path, int]]:
    """The operator's steps; returns each watched migration's report folder and exit code."""
    say(f"Where is {VM}?")
    vmcctl("inventory", "vms", "--host", HOME, env=env)

    say("Which host in the other fault domain should take it, and why not the others?")
    vmcctl("advise", VM, "--fault-domain", "other", env=env)

    say(f"Let the training settle into its steady pace ({WARM_UP_S:g} s)")
    time.sleep(WARM_UP_S)

    say(f"Move {VM} there: compute only, high priority, watching the training")
    there = OUT / "1-to-other-fault-domain"
    code_there = vmcctl("migrate", VM, "--fault-domain", "other", "--priority", "high",
                        "--watch-h2o", watch, "--before", WATCH_S, "--after", WATCH_S,
                        "--report", str(there), env=env, check=False)

    say("The training keeps going on the new host")
    vmcctl("h2o", "status", "--h2o-url", h2o_url, env=env)
    time.sleep(float(WATCH_S))

    say(f"Bring {VM} home to {HOME}")
    back = OUT / "2-back-home"
    code_back = vmcctl("migrate", VM, "--host", HOME, "--priority", "high",
                       "--watch-h2o", watch, "--before", WATCH_S, "--after", WATCH_S,
                       "--report", str(back), env=env, check=False)
    vmcctl("inventory", "vms", "--host", HOME, env=env)

    say("The same machinery plans a host evacuation for maintenance (dry run)")
    vmcctl("host", "evacuate", HOME, "--dry-run", env=env, check=False)

    say(f"A maintenance window on {HOME}, two moves at a time, the continuity gate on the "
        "training job")
    window = (OUT / "3-maintenance-window").resolve()
    window.mkdir(parents=True, exist_ok=True)
    code_window = vmcctl(
        "play", str(REPO / "playbooks" / "maintenance-window.yaml"), "--var", f"host={HOME}",
        "--var", "pause=10", "--var", "max_parallel=2",
        "--var", f"journal={window / 'journal.json'}",
        "--gate-h2o", f"{h2o_url}#{job_key}", "--gate-interval", GATE_WINDOW_S,
        "--gate-timeout", "180", "--report", str(window),
        "--events", str(window / "events.jsonl"), env=env, check=False,
        cwd=window)  # play's own record (vmcctl-play-*.json) lands there, not in the repo
    return [(there, code_there), (back, code_back)], (window, code_window)


def window_line(window: Path) -> tuple[bool, str]:
    data = json.loads((window / "report.json").read_text(encoding="utf-8"))
    moved = sum(m["state"] == "done" for m in data["moves"])
    closed = data["gate_closed"]
    jobs = "; ".join(f"H2O job {j['outcome']}" + ("" if j["outcome"] == "PASS"
                                                  else f" ({j['reason']})")
                     for j in data["h2o"])
    text = (f"window on {HOME}: {moved} moves done in {data['seconds']:.0f} s, gate closed "
            f"{len(closed)}x ({sum((c['end'] or data['seconds']) - c['start'] for c in closed):.0f}"
            f" s); {jobs or 'no H2O job watched'}")
    return all(j["outcome"] == "PASS" for j in data["h2o"]), text


def summary(results: list[tuple[Path, int]], window: tuple[Path, int]) -> bool:
    say("Verdicts")
    ok = True
    for report, code in results:
        ok = ok and code == 0
        if not (report / "report.json").exists():
            print(f"  no report in {report}")
            ok = False
            continue
        passed, text = verdict_line(report)
        ok = ok and passed
        print(f"  {text}")
        print(f"    report {report / 'report.json'}\n    plot   {report / 'timeline.png'}")
    folder, code = window
    if not (folder / "report.json").exists():
        print(f"  no window report in {folder}")
        return False
    passed, text = window_line(folder)
    print(f"  {text}")
    print(f"    report {folder / 'report.json'}\n    Gantt  {folder / 'timeline.png'}\n"
          f"    events {folder / 'events.jsonl'}")
    return ok and passed and code == 0


def main() -> int:
    from vmcctl import log
    from vmcctl.h2o.demo import start_local_h2o, start_training_job

    log.configure("console", 0)
    signal.signal(signal.SIGTERM, _terminate)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    sim = h2o = None
    started = time.monotonic()
    try:
        say("Start a local vCenter: the seed SDDC (9 hosts, fault domains us-west-2a/2b)")
        sim, env = start_simulator()
        vmcctl("inventory", "hosts", env=env)

        say("Start H2O-3 in the 'guest' and a GBM training job (runs a couple of minutes)")
        h2o = start_local_h2o()
        job = start_training_job(duration_s=TRAIN_S)
        print(f"H2O at {h2o.url}; training job {job.key} ({job.ntrees} trees, "
              f"~{job.expected_s:.0f} s)")
        watch = "auto" if h2o.port == 54321 else h2o.url
        ok = summary(*story(env, watch, h2o.url, job.key))
        print(f"\nstory {'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the simulator and H2O", file=sys.stderr)
        return 130
    finally:
        if h2o is not None:
            h2o.shutdown()
        if sim is not None:
            sim.terminate()
            try:
                sim.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sim.kill()


if __name__ == "__main__":
    sys.exit(main())
