"""Pure chart and drill-down functions: what the overview computes and where a click leads."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import charts, drilldown, queries
from etl.domain import vocabulary
from tests.conftest import TODAY

PERIODE = "2025-Q3"


@pytest.fixture
def grid(sample_db: Path) -> pd.DataFrame:
    return queries.norm_grid(queries.data_for(sample_db), PERIODE, TODAY)


def test_clicking_a_ministry_cell_opens_that_ministry_with_the_norm_marked() -> None:
    target = drilldown.target_for({"cel": [{"departement": "FIN", "norm": 3}]}, PERIODE)
    assert target == drilldown.Target(
        "screens/ministerie.py", {"periode": PERIODE, "ministerie": "FIN", "norm": "3"}
    )


def test_clicking_the_share_column_opens_the_ministry_without_a_norm() -> None:
    target = drilldown.target_for({"cel": [{"departement": "BZK", "norm": 0}]}, PERIODE)
    assert target == drilldown.Target(
        "screens/ministerie.py", {"periode": PERIODE, "ministerie": "BZK"}
    )


def test_clicking_the_government_wide_row_opens_the_norm() -> None:
    target = drilldown.target_for({"cel": [{"departement": "Rijksbreed", "norm": 12}]}, PERIODE)
    assert target == drilldown.Target("screens/norm.py", {"periode": PERIODE, "norm": "12"})


@pytest.mark.parametrize("selection", [None, {}, {"cel": []}, {"cel": [{"norm": 3}]}])
def test_no_selection_means_no_drill_down(selection: dict[str, object] | None) -> None:
    assert drilldown.target_for(selection, PERIODE) is None


def test_heatmap_margins_count_only_judged_norms(grid: pd.DataFrame) -> None:
    data = charts.heatmap_data(grid)
    for code, rows in grid.groupby("departement"):
        judged = rows["score"].notna().sum()
        met = rows["score"].eq(2).sum()
        total = data[(data["departement"] == code) & (data["kolom"] == "Voldaan")].iloc[0]
        expected = f"{met}/{judged}" if judged else "–"
        assert total["cel"] == expected, code
    per_norm = data[data["departement"] == "Rijksbreed"].set_index("norm")["cel"]
    for norm, rows in grid.groupby("norm"):
        judged_rows = rows[rows["staat"].isin(vocabulary.JUDGED)]
        assert per_norm[norm] == f"{judged_rows['score'].eq(2).sum()}/{len(judged_rows)}"


def test_government_row_shows_a_share_when_hundreds_of_organisations_submitted(
    grid: pd.DataFrame,
) -> None:
    """'168/395' does not fit a cell; a share does, and the tooltip keeps the counts."""
    many = pd.concat(
        [grid.assign(departement=grid["departement"] + f"-{copy}") for copy in range(10)],
        ignore_index=True,
    )
    rows = charts.heatmap_data(many).query("departement == 'Rijksbreed'").set_index("norm")
    judged = many[many["staat"].isin(vocabulary.JUDGED)]
    for norm, cells in judged.groupby("norm"):
        met, of = int(cells["score"].eq(2).sum()), len(cells)
        assert of >= 100
        row = rows.loc[norm]
        assert row["cel"] == f"{round(100 * met / of)}%"
        assert str(row["toelichting"]).startswith(f"{met} van de {of} ")


def test_every_cell_has_a_text_label_and_changes_are_marked(grid: pd.DataFrame) -> None:
    data = charts.heatmap_data(grid)
    cells = data[data["staat"] != charts.MARGIN]
    assert cells["cel"].str.len().gt(0).all()
    better = cells[cells["wijziging"] > 0]
    worse = cells[cells["wijziging"] < 0]
    assert not better.empty and not worse.empty
    assert better["cel"].str.endswith("▲").all()
    assert worse["cel"].str.endswith("▼").all()


def test_change_follows_the_predecessor_across_the_line_up_change(sample_db: Path) -> None:
    data = queries.data_for(sample_db)
    grid = queries.norm_grid(data, "2024-Q3", TODAY)
    before = queries.norm_grid(data, "2024-Q2", TODAY)
    before = before.set_index(["departement", "norm"])
    ez = grid[grid["departement"] == "EZ"].set_index("norm")
    for norm, row in ez.iterrows():
        previous = before.loc[("EZK", norm)]  # type: ignore[index]
        # The last judged verdict: EZK's of 2024-Q2, else EZK's own last one before it.
        expected = previous["score"] if pd.notna(previous["score"]) else previous["vorige_score"]
        assert row["vorige_score"] == expected or (
            pd.isna(expected) and pd.isna(row["vorige_score"])
        )


def test_row_order_by_score_puts_the_best_first_and_the_government_row_last(
    grid: pd.DataFrame,
) -> None:
    data = charts.heatmap_data(grid)
    order = charts.row_order(data, "score")
    shares = data[data["kolom"] == "Voldaan"].set_index("departement")["aandeel"]
    assert [shares[c] for c in order[:-1]] == sorted(shares[order[:-1]], reverse=True)
    assert order[-1] == "Rijksbreed"
    assert charts.row_order(data, "naam")[:2] == ["AenM", "AZ"]


def test_palette_text_contrast_meets_wcag_aa() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for _label, fill, text in [*charts.STYLE.values(), *charts.STATUS_STYLE.values()]:
        light, dark = sorted([luminance(fill), luminance(text)], reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, fill


def _rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def test_palette_gives_problems_the_most_weight_and_reads_in_greyscale() -> None:
    """Voldoet niet is the darkest cell, voldoet the lightest: light to dark from good to bad,
    far enough apart to tell without colour."""

    def grey(colour: str) -> float:
        r, g, b = _rgb(colour)
        return 0.299 * r + 0.587 * g + 0.114 * b

    fills = [charts.STYLE[s][1] for s in vocabulary.JUDGED]  # voldoet, deels, niet
    greys = [grey(fill) for fill in fills]
    assert greys == sorted(greys, reverse=True)
    assert min(a - b for a, b in itertools.pairwise(greys)) > 25


def test_deels_is_not_in_the_blue_family_of_voldoet() -> None:
    """Blue for what is in order, orange to brown for every step still to take."""
    r, _, b = _rgb(charts.STYLE[vocabulary.VOLDOET][1])
    assert b > r
    for state in (vocabulary.DEELS, vocabulary.NIET):
        r, _, b = _rgb(charts.STYLE[state][1])
        assert r > b, state


def test_funnel_labels_of_close_points_do_not_overlap() -> None:
    """Five organisations of almost the same size and rate: each label gets its own line."""
    x = np.log10(np.array([10000.0, 10200, 10400, 10100, 10300]))
    y = np.array([8.0, 8.05, 8.1, 7.95, 8.02])
    heights = charts.label_heights(x, y, [3, 3, 3, 3, 3], top=16.0, x_range=(3.5, 5.0))
    shares = np.sort(heights / 16.0)
    assert np.all(np.diff(shares) >= 15 / 420 - 1e-9)
    far = charts.label_heights(np.log10(np.array([100.0, 100000])), np.array([2.0, 12]), [2, 2],
                               16, x_range=(1.5, 5.5))  # fmt: skip
    assert list(far) == [2.0, 12.0]  # labels that do not collide stay beside their points


def test_a_long_legend_wraps_into_columns_that_fit_beside_the_menu() -> None:
    """Seven verdicts in one row ran past the ministry page's grid at 1280 pixels."""
    verdicts = list(charts.STYLE)
    assert 1 < charts.legend_columns(verdicts) < len(verdicts)  # fit: tests/browser
    assert charts.legend_columns(["ja", "nee"]) == 2  # a short legend stays one row
    assert charts.legend_columns(["x" * 200]) == 1  # and a single long entry one column


def test_a_long_statement_on_an_axis_is_drawn_in_lines_quotes_and_accents_included() -> None:
    """A statement in one line took 420 pixels of the chart and was cut short."""
    import altair as alt

    from dashboard import downloads

    labels = ["VBG2 Mijn leidinggevende spreekt mensen aan op niet-integer gedrag", 'Q1 "Enquête"']
    axis = alt.Axis(labelExpr=charts.wrapped_labels(labels, 34), labelLimit=300)
    chart = (
        alt.Chart(pd.DataFrame({"label": labels, "x": [1, 2]}))
        .mark_bar()
        .encode(x="x:Q", y=alt.Y("label:N", axis=axis))
    )
    svg = downloads.chart_svg(chart)
    assert ">VBG2 Mijn leidinggevende spreekt<" in svg  # the first of two lines
    assert ">mensen aan op niet-integer gedrag<" in svg
    assert "Enquête" in svg
