"""The example notebook runs, top to bottom, and shows what it promises."""

from __future__ import annotations

from conftest import REPO, need

NOTEBOOK = REPO / "examples" / "notebooks" / "scorecard.ipynb"


def test_example_notebook_runs() -> None:
    nbformat = need("nbformat")
    nbclient = need("nbclient")
    for module in ("ipykernel", "matplotlib", "pandas", "pyarrow"):
        need(module)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    # The scorecard table with status chips and their labels.
    assert any('class="ragulator-chip"' in h and "Red – High Risk" in h for h in html)
    # The red indicators table lists exactly the red results.
    import ragulator

    example = REPO / "examples" / "childrens-social-care"
    card = ragulator.Scorecard.from_file(example / "scorecard.toml")
    ev = card.evaluate(example / "data.csv", overrides=example / "overrides.csv", period="2022-06")
    red = [r for r in ev.results if r.status == "red"]
    assert red
    red_cell = next(h for h in html if "<table" in h and ">explanation<" in h and ">theme<" in h)
    assert red_cell.count("<tr") - 1 == len(red)  # one header row
    assert all(r.explanation in red_cell or r.explanation[:40] in red_cell for r in red)
    # The SPC chart was drawn.
    assert any("image/png" in o.get("data", {}) for o in outputs)
