"""`sro conformance`: the group; each runner adds its subcommand from its own module below."""

from __future__ import annotations

import click


@click.group()
def conformance() -> None:
    """Konformität messen: DMN-TCK und Camunda-7-Testdiagramme (Pfad zum veröffentlichten Material)."""


from engine.conformance.bpmn import command as _bpmn  # noqa: E402 - the subcommands hang from the group above
from engine.conformance.dmn_tck import command as _dmn_tck  # noqa: E402

conformance.add_command(_bpmn)
conformance.add_command(_dmn_tck)
