"""Read a playbook file and validate all of it before anything runs.

``load_playbook(path, overrides)`` parses the YAML (duplicate keys refused),
checks the header, resolves the variables (defaults from ``vars``, then
``--var`` overrides), then substitutes and validates every step. Any problem
is one ``PlaybookError`` line naming the file, the step (number and name) and
the field. A variable set by an earlier ``advise`` step (``save_as``) is known
to the later steps; until the run reaches them a placeholder stands in, and
``Step.resolve`` substitutes the real value just before the step runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from vmcctl.errors import PlaybookError
from vmcctl.playbook.schema import ACTIONS, Action, ConnectionSpec, PlaybookHeader
from vmcctl.playbook.variables import UnknownVariable, substitute
from vmcctl.yamlfile import read_yaml


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice in one mapping (YAML keeps the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode,
                       deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} given twice in one mapping", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


def _loc(parts: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in parts)


def _pydantic_line(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> str:
    """The first error as ``field.path: message``, plus how many more there are."""
    errors = exc.errors()
    err = errors[0]
    loc = _loc((*prefix, *err["loc"]))
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "required key is missing"
    elif err["type"] == "extra_forbidden":
        msg = "unknown key"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{loc}: {msg}{more}" if loc else f"{msg}{more}"


def _unknown_var_line(exc: UnknownVariable, prefix: tuple[str | int, ...] = ()) -> str:
    close = difflib.get_close_matches(exc.name, exc.known, n=1)
    hint = f"did you mean ${{{close[0]}}}? " if close else ""
    known = ", ".join(exc.known) or "none"
    where = _loc((*prefix, *exc.path))
    return (f"{where}: unknown variable ${{{exc.name}}} ({hint}known: {known}; declare it "
            "under vars: or set it with --var)")


@dataclass(frozen=True)
class Step:
    """One validated step; ``index`` counts from 1."""

    index: int
    name: str | None
    kind: str
    body: Any = field(repr=False)  # as written, before substitution
    action: Action

    @property
    def label(self) -> str:
        return f'step {self.index} "{self.name}"' if self.name else f"step {self.index}"

    def resolve(self, values: Mapping[str, object], source: str = "<playbook>") -> Action:
        """The action with ``values`` substituted (run time: ``save_as`` values are real)."""
        return _validate_body(source, self.label, self.kind, self.body, values)


@dataclass(frozen=True)
class Playbook:
    name: str
    description: str
    source: str
    values: Mapping[str, object]  # the declared variables, overrides applied
    connection: ConnectionSpec | None
    steps: tuple[Step, ...]


def _validate_body(source: str, label: str, kind: str, body: Any,
                   values: Mapping[str, object]) -> Action:
    try:
        resolved = substitute(body, values, (kind,))
    except UnknownVariable as exc:
        raise PlaybookError(f"{source}: {label}: {_unknown_var_line(exc)}") from None
    model: type[BaseModel] = ACTIONS[kind]
    try:
        action: Action = model.model_validate(resolved)  # type: ignore[assignment]
    except ValidationError as exc:
        raise PlaybookError(f"{source}: {label}: {_pydantic_line(exc, (kind,))}") from None
    return action


def _split_step(source: str, index: int, raw: Any) -> tuple[str | None, str, Any]:
    """(name, action key, body) of one step as written; ``PlaybookError`` if malformed."""
    label = f"step {index}"
    actions = ", ".join(ACTIONS)
    if not isinstance(raw, dict):
        raise PlaybookError(f"{source}: {label}: expected a mapping with one action "
                            f"({actions}), not {type(raw).__name__}")
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise PlaybookError(f"{source}: {label}: name: expected a string")
    if name:
        label = f'step {index} "{name}"'
    found = [k for k in raw if k in ACTIONS]
    extra = [k for k in raw if k not in ACTIONS and k not in ("name", "host")]
    if extra:
        close = difflib.get_close_matches(str(extra[0]), list(ACTIONS), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise PlaybookError(f"{source}: {label}: {extra[0]}: unknown step key ({hint}"
                            f"a step has a name and one of {actions})")
    if not found:
        raise PlaybookError(f"{source}: {label}: no action: give one of {actions}")
    if len(found) > 1:
        raise PlaybookError(f"{source}: {label}: {', '.join(found)}: one action per step, "
                            f"found {len(found)}; split them into separate steps")
    kind = found[0]
    body = raw[kind]
    if kind == "maintenance" and isinstance(body, str):
        body = {"action": body, **({"host": raw["host"]} if "host" in raw else {})}
    elif "host" in raw:
        raise PlaybookError(f"{source}: {label}: host: unknown step key (host goes inside "
                            f"{kind}:, or next to the short form maintenance: enter|exit)")
    if kind == "wait" and isinstance(body, int | float) and not isinstance(body, bool):
        body = {"seconds": body}
    if body is None:
        body = {}
    return name, kind, body


def _resolve_vars(source: str, header: PlaybookHeader,
                  overrides: Mapping[str, str]) -> dict[str, object]:
    unknown = sorted(set(overrides) - set(header.vars))
    if unknown:
        declared = ", ".join(header.vars) or "none"
        raise PlaybookError(f"{source}: --var {unknown[0]}: the playbook declares no such "
                            f"variable (declared: {declared})")
    values: dict[str, object] = {}
    for name, default in header.vars.items():  # in order: a default may use earlier ones
        value = overrides.get(name, default)
        if value is None:
            raise PlaybookError(f"{source}: vars.{name}: has no default; pass "
                                f"--var {name}=VALUE")
        try:
            values[name] = substitute(value, values, ("vars", name))
        except UnknownVariable as exc:
            raise PlaybookError(f"{source}: {_unknown_var_line(exc)} (a variable can use "
                                "those declared before it)") from None
    return values


def parse_playbook(data: Any, source: str = "<playbook>",
                   overrides: Mapping[str, str] | None = None) -> Playbook:
    """Validate an already-parsed document (see ``load_playbook``)."""
    if not isinstance(data, dict):
        raise PlaybookError(f"{source}: expected a mapping with name and steps at the top")
    try:
        header = PlaybookHeader.model_validate(data)
    except ValidationError as exc:
        raise PlaybookError(f"{source}: {_pydantic_line(exc)}") from None
    values = _resolve_vars(source, header, overrides or {})
    connection = header.connection
    if connection is not None:
        try:
            connection = ConnectionSpec.model_validate(
                substitute(connection.model_dump(exclude_none=True), values, ("connection",)))
        except UnknownVariable as exc:
            raise PlaybookError(f"{source}: {_unknown_var_line(exc)}") from None
    known: dict[str, object] = dict(values)
    steps: list[Step] = []
    for index, raw in enumerate(header.steps, start=1):
        name, kind, body = _split_step(source, index, raw)
        label = f'step {index} "{name}"' if name else f"step {index}"
        action = _validate_body(source, label, kind, body, known)
        steps.append(Step(index=index, name=name, kind=kind, body=body, action=action))
        saved = getattr(action, "save_as", None)
        if saved is not None:
            if saved in values:
                raise PlaybookError(f"{source}: {label}: {kind}.save_as: {saved!r} is already "
                                    "a variable under vars:; pick another name")
            known[saved] = f"<host chosen by {label}>"
    return Playbook(name=header.name, description=header.description, source=source,
                    values=values, connection=connection, steps=tuple(steps))


def load_playbook(path: str | Path, overrides: Mapping[str, str] | None = None) -> Playbook:
    """Read and validate a playbook file; one-line ``PlaybookError`` if anything is wrong."""
    data = read_yaml(path, PlaybookError, _UniqueKeyLoader)  # a SafeLoader subclass
    return parse_playbook(data, str(path), overrides)
