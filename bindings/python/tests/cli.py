"""Runs the ragulator CLI (built by scripts/test-python) for comparisons."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import CI, REPO


def cli(*args: str | os.PathLike[str], cwd: Path | None = None) -> str:
    """The CLI's stdout; a skip when it is not built (a failure under CI=true)."""
    exe = Path(os.environ.get("RAGULATOR_CLI", REPO / "target" / "release" / "ragulator"))
    if not exe.exists():
        message = f"the ragulator CLI is not built at {exe} (cargo build --release -p ragulator-cli)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    run = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, cwd=cwd)
    assert run.returncode == 0, run.stderr
    return run.stdout
