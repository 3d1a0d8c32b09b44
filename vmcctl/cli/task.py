"""``vmcctl task TASK-ID``: look up a vCenter task, follow it (--watch) or cancel it.

Parsing and rendering only; the reading, following and cancelling live in
``vmcctl.vsphere.task_lookup``.
"""

from __future__ import annotations

from typing import Any

import click

from vmcctl.cli.confirm import confirm, yes_option
from vmcctl.cli.connect import connection_options, open_session
from vmcctl.cli.errors import EXIT_INTERRUPTED
from vmcctl.cli.render import emit_json, output_option, show, table
from vmcctl.errors import ConfigError, TaskFailedError


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


def _render(info: Any, output: str) -> None:
    if output == "json":
        emit_json(info.to_dict())
        return
    entity = (f"{info.entity_name or '?'} ({info.entity}, {info.entity_type})"
              if info.entity else "-")
    progress = "-" if info.progress is None else f"{info.progress}%"
    rows = [["task", info.task], ["description", info.name or info.description_id or "-"],
            ["entity", entity], ["state", info.state + (" (cancelled)" if info.cancelled else "")],
            ["progress", progress], ["cancelable", "yes" if info.cancelable else "no"],
            ["queued", _when(info.queued_at)], ["started", _when(info.started_at)],
            ["completed", _when(info.completed_at)]]
    if info.fault_type:
        rows.append(["error", f"{info.fault_type}: {info.fault_message}"])
    show(table(f"Task {info.task}", ["", ""], rows))


@click.command("task", short_help="Show, follow or cancel a vCenter task.")
@click.argument("task_id", metavar="TASK-ID")
@click.option("--watch", is_flag=True,
              help="Follow the task with a progress bar until it ends "
                   "(exit 0 on success, 1 on error).")
@click.option("--cancel", is_flag=True,
              help="Cancel the task (CancelTask), if vCenter says it can be cancelled.")
@yes_option
@connection_options
@output_option
def task(task_id: str, watch: bool, cancel: bool, yes: bool, output: str) -> None:
    """Show a vCenter task: state, progress, entity, description, error and times.

    TASK-ID is the task's managed object id, as vmcctl prints it (task-123).
    With --watch, follow it until it ends, with the same progress display as
    `vmcctl migrate`; Ctrl-C stops watching, the task goes on in vCenter.
    --cancel asks first on a terminal (-y/--yes does not). A task vCenter
    does not know (a wrong id, or one it has forgotten) is an input error
    (exit 2).

    \b
    Examples:
      vmcctl task task-123
      vmcctl task task-123 --watch
      vmcctl task task-123 --cancel --yes
      vmcctl task task-123 -o json
    """
    from vmcctl.vsphere.task_lookup import cancel_task, follow_task, read_task

    if watch and cancel:
        raise ConfigError("give --watch or --cancel, not both")
    with open_session(click.get_current_context()) as client:
        if cancel:
            first = read_task(client, task_id)
            if not first.done:
                confirm([f"cancel {task_id} ({first.describe}, {first.state})"], yes=yes)
            info = cancel_task(client, task_id)
            click.echo(f"asked vCenter to cancel {task_id} ({info.describe}); it is "
                       f"{info.state} now", err=True)
        elif watch:
            info = _watch(client, task_id, read_task(client, task_id), follow_task,
                          read_task)
        else:
            info = read_task(client, task_id)
    _render(info, output)
    if watch and info.state == "error":
        raise TaskFailedError(info.fault_type or "TaskFailed",
                              info.fault_message or "the task failed", task=task_id)


def _watch(client: Any, task_id: str, first: Any, follow: Any, read: Any) -> Any:
    """Follow the task to its end with a progress bar; its final state, read again."""
    from vmcctl.cli.progress import TaskProgress

    if first.done:
        return first
    try:
        with TaskProgress(f"{task_id} {first.describe}") as bar:
            follow(client, task_id, on_update=bar.update)
    except KeyboardInterrupt:
        click.echo(f"stopped watching; {task_id} ({first.describe}) goes on in vCenter: "
                   f"`vmcctl task {task_id} --watch` to follow it again", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    return read(client, task_id)
