"""Simulator users with fewer privileges than the inventory's ``credentials``.

A ``UserSpec`` holds on every object exactly the privileges it lists; the
simulator refuses a method without its privilege with ``NoPermission`` and
reports a property the user may not read in ``missingSet`` (docs/simulator.md).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

PRIVILEGE_ID = r"^[A-Z][A-Za-z]*(\.[A-Za-z][A-Za-z0-9]*)+$"
HIDDEN_PROPERTY = r"^([A-Z][A-Za-z]*:)?[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$"


class UserSpec(BaseModel):
    """A user with only the listed privileges (on every object).

    ``hidden_properties``: property paths this user may not read even with
    ``System.Read``, optionally limited to one type (``HostSystem:summary.quickStats``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = Field(min_length=1)
    password: str = Field(min_length=1)
    privileges: list[str] = Field(default_factory=list)
    hidden_properties: list[str] = Field(default_factory=list)

    @field_validator("privileges")
    @classmethod
    def _privilege_ids(cls, value: list[str]) -> list[str]:
        for p in value:
            if not re.match(PRIVILEGE_ID, p):
                raise ValueError(f"{p!r} is not a privilege id like 'Resource.HotMigrate'")
        return value

    @field_validator("hidden_properties")
    @classmethod
    def _property_paths(cls, value: list[str]) -> list[str]:
        for p in value:
            if not re.match(HIDDEN_PROPERTY, p):
                raise ValueError(f"{p!r} is not a property path like 'summary.quickStats' "
                                 "or 'HostSystem:summary.quickStats'")
        return value
