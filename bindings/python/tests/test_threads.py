"""The GIL is released while the core reads and evaluates a batch, so
other Python threads run meanwhile and two threads evaluate concurrently.

The evidence does not depend on timing ratios: a background thread records
when it runs; if the GIL were held for the whole native call, no Python
thread could run in the middle of it (the interpreter cannot switch threads
inside a native call). We require background progress in the middle 60% of
the call, well away from the switches possible at its edges.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest

import ragulator
from conftest import need

ENTITIES, INDICATORS, MONTHS = 500, 10, 24


def batch_card() -> ragulator.Scorecard:
    parts = ["ragulator = 1\n"]
    for i in range(INDICATORS):
        polarity = "higher_is_better" if i % 2 == 0 else "lower_is_better"
        parts.append(
            f"[[indicator]]\nid = 'ind{i}'\nname = 'Indicator {i}'\nunit = 'percent'\npolarity = '{polarity}'\n"
            "decimals = 1\ntarget = 75\nrag = { rule = 'target', amber = '5%' }\n"
        )
    return ragulator.Scorecard.from_toml("".join(parts))


@pytest.fixture(scope="module")
def table() -> Any:
    pa = need("pyarrow")
    np = need("numpy")
    n = ENTITIES * INDICATORS * MONTHS
    e = np.arange(n) // (INDICATORS * MONTHS)
    i = np.arange(n) // MONTHS % INDICATORS
    m = np.arange(n) % MONTHS
    periods = np.array([f"{2020 + k // 12}-{k % 12 + 1:02d}" for k in range(MONTHS)])
    return pa.table(
        {
            "entity": np.char.add("e", e.astype(str)),
            "indicator": np.char.add("ind", i.astype(str)),
            "period": periods[m],
            "value": 60 + (e * 7919 + i * 104729 + m * 1299709) % 3000 / 100,
        }
    )


def progress_inside(call: Callable[[], Any]) -> tuple[int, float, Any]:
    """Runs `call` while a background thread records the times it runs; returns
    the background steps seen in the middle 60% of the call, its duration, and
    the call's result."""
    stamps: list[float] = []
    stop = threading.Event()
    started = threading.Event()

    def spin() -> None:
        started.set()
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0)  # also yield explicitly: progress must not rely on switch timing

    t = threading.Thread(target=spin, daemon=True)
    t.start()
    started.wait()
    t0 = time.perf_counter()
    result = call()
    t1 = time.perf_counter()
    stop.set()
    t.join()
    lo, hi = t0 + 0.2 * (t1 - t0), t1 - 0.2 * (t1 - t0)
    return sum(1 for s in stamps if lo <= s <= hi), t1 - t0, result


def test_other_threads_run_during_evaluate(table: Any) -> None:
    card = batch_card()
    obs = card.observations(table)
    # The native evaluation alone (observations already read), with explanations.
    # A few milliseconds long: on a loaded machine the other thread may not be
    # scheduled in that window once, so up to five tries; with the GIL held
    # it could run in none of them.
    for _ in range(5):
        steps, seconds, ev = progress_inside(lambda: card.evaluate(obs))
        assert len(ev) == ENTITIES * INDICATORS * MONTHS
        if steps > 0:
            break
    assert steps > 0, f"no other thread ran during a {seconds:.3f} s evaluation: the GIL was held"


def test_other_threads_run_while_reading_a_table(table: Any) -> None:
    pa = need("pyarrow")
    card = batch_card()
    # One native call long enough (several hundred ms) to leave no doubt.
    big = pa.concat_tables([table] * 4)
    steps, seconds, obs = progress_inside(lambda: card.observations(big))
    assert obs.input_rows == big.num_rows
    assert steps > 0, f"no other thread ran during a {seconds:.3f} s read: the GIL was held"


def test_two_threads_evaluate_concurrently_with_the_same_results(table: Any) -> None:
    card = batch_card()
    expected = card.evaluate(table).to_csv()
    results: dict[int, str] = {}
    inside = threading.Barrier(2)

    def work(k: int) -> None:
        inside.wait()
        results[k] = card.evaluate(table).to_csv()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {0: expected, 1: expected}


def test_the_check_sees_a_held_gil() -> None:
    """Control: a long C call that keeps the GIL (json.loads) shows no
    background progress, so the checks above can fail."""
    import json

    text = json.dumps([{"indicator": "x", "period": "2022-01", "value": i} for i in range(600_000)])
    steps, seconds, _ = progress_inside(lambda: json.loads(text))
    assert seconds > 0.1
    assert steps == 0
