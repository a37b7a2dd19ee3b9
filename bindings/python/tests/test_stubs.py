"""The type stubs match the runtime (mypy.stubtest), and type-check."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO, need

PYPROJECT = REPO / "bindings" / "python" / "pyproject.toml"


def test_stubs_match_the_runtime() -> None:
    need("mypy")
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "ragulator", "--mypy-config-file", str(PYPROJECT)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_pure_python_layer_type_checks_strictly() -> None:
    need("mypy")
    source = REPO / "bindings" / "python" / "python" / "ragulator" / "__init__.py"
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(PYPROJECT), str(source)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stdout + run.stderr
