"""`sro letters --demo DIR`: one letter of each kind as HTML and PDF, with the record the event log would keep."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.letters.fields import EXAMPLES
from engine.letters.render import TEMPLATES, check_templates, read_folder, render


@click.command()
@click.option("--demo", "target", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Ordner, in den je ein Brief jeder Art geschrieben wird.")
@click.option("--vorlagen", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=TEMPLATES, show_default=True, help="Ordner der Vorlagen.")
def letters(target: Path, folder: Path) -> None:
    """Je einen Brief jeder Art (Beispieldaten) als HTML und PDF erzeugen."""
    findings = check_templates(folder)
    if findings:
        for finding in findings:
            click.echo(finding, err=True)
        click.echo("Die Vorlagen sind fehlerhaft; es wurde nichts erzeugt.", err=True)
        sys.exit(1)
    target.mkdir(parents=True, exist_ok=True)
    templates = read_folder(folder)
    for kind, data in EXAMPLES.items():
        letter = render(kind, data, templates)
        (target / f"{kind}.html").write_text(letter.html, encoding="utf-8")
        (target / f"{kind}.pdf").write_bytes(letter.pdf())
        (target / f"{kind}.json").write_text(json.dumps(letter.record(), ensure_ascii=False, indent=2),
                                             encoding="utf-8")
        click.echo(f"{kind}: {target / kind}.pdf (SHA-256 {letter.sha256[:16]}…)")
