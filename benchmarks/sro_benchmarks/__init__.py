"""Benchmarks of the SRO engine and workplace (`sro bench`); a dev-only distribution, not shipped.

They read the shipped model from the repository they are installed from (an editable install by
the Makefile), so they always measure what `processes/` holds now.
"""

from pathlib import Path

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
