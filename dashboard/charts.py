"""Charts as pure functions: a DataFrame in, an Altair chart out; no Streamlit, no SQL.

Colour never carries meaning alone: every cell has a text label and every line its
own dash pattern and point shape. The palette (Rijkshuisstijl blue against orange)
stays distinct for the common colour-vision deficiencies and in greyscale, where
its lightness runs from dark (voldoet) to light (voldoet niet).

Layers that share their data get it once, on the layer (`alt.layer(..., data=frame)`), and
their charts none: given to each chart, Altair hashes every copy's frame, printed as text,
to find they share it, and a layered chart is copied several times on its way to the
page (a third of building and converting a heatmap). The Vega-Lite specification is the same.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any, cast

import altair as alt
import numpy as np
import pandas as pd
from altair.utils import schemapi

from etl.domain import normgrid, vocabulary
from etl.domain.vocabulary import (
    DEELS,
    NIET,
    NIET_AANGELEVERD,
    NIET_BEOORDEELD,
    NOG_OPEN,
    ONBEKEND,
    ONDERDELEN,
    OP_TIJD,
    SHORT_LABELS,
    TE_LAAT,
    VOLDOET,
)

# Altair checks every part of a chart against the Vega-Lite schema as it is made ("debug
# mode") and the whole chart again when it becomes a spec. The second check suffices (an
# invalid chart still fails there, in the tests too); the first was a third of the time a
# page spent making its charts (issue 23).
schemapi.disable_debug_mode()

# state: (label in the cell, fill, text colour). Problems carry the most weight: voldoet
# niet is the darkest cell, voldoet deels a mid orange, voldoet a light blue; lightness
# runs light → dark from good to bad, so the order survives greyscale, and blue against
# orange stays apart for the common colour-vision deficiencies. Text contrast ≥ 4.5:1.
STYLE: dict[str, tuple[str, str, str]] = {
    VOLDOET: (SHORT_LABELS[VOLDOET], "#B2D7EE", "#000000"),
    DEELS: (SHORT_LABELS[DEELS], "#F4A15D", "#000000"),
    NIET: (SHORT_LABELS[NIET], "#8C3A00", "#FFFFFF"),
    NIET_BEOORDEELD: (SHORT_LABELS[NIET_BEOORDEELD], "#E0E0E0", "#000000"),
    ONBEKEND: (SHORT_LABELS[ONBEKEND], "#F7F7F7", "#000000"),
    NOG_OPEN: (SHORT_LABELS[NOG_OPEN], "#FFFFFF", "#000000"),
    NIET_AANGELEVERD: (SHORT_LABELS[NIET_AANGELEVERD], "#FFFFFF", "#000000"),
}
# States without a verdict get an outline besides their label: dashed for no file,
# dotted for onbekend (judged but not published), so they differ without colour.
OUTLINES: dict[str, list[int]] = {
    NIET_AANGELEVERD: [3, 2],
    NOG_OPEN: [6, 2],
    ONBEKEND: [1, 2],
}
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    OP_TIJD: ("op tijd", "#B2D7EE", "#000000"),
    TE_LAAT: ("te laat", "#F4A15D", "#000000"),
    NIET_AANGELEVERD: ("ontbreekt", "#8C3A00", "#FFFFFF"),
    NOG_OPEN: ("open", "#FFFFFF", "#000000"),
}
MARGIN = "marge"
MARGIN_STYLE = ("", "#FFFFFF", "#000000")
SERIES_COLOURS = ["#01689B", "#E17000", "#42145F"]  # lintblauw, oranje, violet
SERIES_DASHES = [[1, 0], [6, 3], [2, 2]]
SERIES_SHAPES = ["circle", "square", "triangle-up"]
OWN = "eigen aanlevering (dichte cirkel)"
VIA_PREDECESSOR = "van de voorganger (open vierkant)"
TOTAL_COLUMN = "Voldaan"
GOVERNMENT_ROW = "Rijksbreed"
ONDERDEEL_HEADERS = {"preventie": "Preventie", "detectie": "Detectie", "respons": "Respons"}
LEGEND_TEXT = vocabulary.LEGEND_TEXT
FONT = "Source Sans Pro, Arial, sans-serif"
TEXT_COLOUR = "#1A1A1A"  # Streamlit's grey axis labels fall below 4.5:1 contrast

AltairChart = alt.Chart | alt.LayerChart | alt.FacetChart


def vocabulary_norms() -> pd.DataFrame:
    """Norm number, its column heading in the heatmap, and its onderdeel."""
    norms = normgrid.norms_frame()
    return pd.DataFrame(
        {
            "norm": norms["norm"],
            "kolom": norms["norm"].astype(str) + ". " + norms["label"],
            "onderdeel": norms["onderdeel"],
        }
    )


def finish(chart: AltairChart) -> AltairChart:
    """The shared look: the font stack and dark text for AA contrast. One `configure` call:
    each of Altair's `configure_*` copies the chart, and copying a layered chart builds it
    again (five copies were a tenth of a served page's CPU)."""
    styled = chart.configure(
        font=FONT,
        view=alt.ViewConfig(stroke=None),
        axis=alt.AxisConfig(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=12),
        header=alt.HeaderConfig(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR),
        legend=alt.LegendConfig(labelColor=TEXT_COLOUR, titleColor=TEXT_COLOUR, labelFontSize=13),
    )
    return cast(AltairChart, styled)


# The width a legend below a chart may take: a chart's width at 1024 pixels beside the menu.
# A legend in one row ran past the chart's right edge and its last entries were cut off
# ("niet aangeleverd" on the ministry page at 1280 pixels, half the survey's answers).
LEGEND_WIDTH = 520


def legend_columns(labels: Sequence[str], font_size: int = 13, width: int = LEGEND_WIDTH) -> int:
    """How many columns of legend entries fit in `width` pixels, from a generous estimate of
    the widest entry: its label at 0.6 em a character, the symbol and the padding (30 px).
    Vega lays a legend out before the page's font is known, so it is estimated, not measured."""
    widest = max((len(label) for label in labels), default=1) * font_size * 0.6 + 30
    return max(1, min(len(labels), int(width // widest)))


def wrapped_labels(labels: Sequence[str], width: int) -> str:
    """A `labelExpr` that draws each of these axis labels in lines of at most `width`
    characters: a survey statement in one line took 420 pixels, so at 1280 pixels it was
    cut short and at 1024 it left the plot a quarter of the chart."""
    cases = [
        f"datum.value == {json.dumps(label, ensure_ascii=False)} ? "
        f"{json.dumps(textwrap.wrap(label, width), ensure_ascii=False)}"
        for label in dict.fromkeys(labels)
    ]
    return " : ".join([*cases, "datum.value"])


def _styled(
    frame: pd.DataFrame, state: str, styles: dict[str, tuple[str, str, str]]
) -> pd.DataFrame:
    result = frame.copy()
    result["vulling"] = result[state].map(lambda s: styles[s][1])
    result["tekstkleur"] = result[state].map(lambda s: styles[s][2])
    return result


def _cell_labels(cells: pd.DataFrame) -> list[str]:
    """The state's short label with ▲/▼ against the last judged verdict, ○ when it became n.b."""
    changes = cells["wijziging"] if "wijziging" in cells else pd.Series(float("nan"), cells.index)
    unjudged = (
        cells["niet_meer_beoordeeld"]
        if "niet_meer_beoordeeld" in cells
        else pd.Series(False, index=cells.index)
    )
    return [
        STYLE[s][0] + vocabulary.change_mark(c, bool(u))
        for s, c, u in zip(cells["staat"], changes, unjudged, strict=True)
    ]


def change_texts(cells: pd.DataFrame) -> pd.Series:
    """The change of every cell in words (see `vocabulary.change_text`)."""
    return pd.Series(
        [
            vocabulary.change_text(c, bool(u))
            for c, u in zip(cells["wijziging"], cells["niet_meer_beoordeeld"], strict=True)
        ],
        index=cells.index,
        dtype=object,
    )


def heatmap_data(grid: pd.DataFrame, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cells of the overview: every ministry shown × norm, plus the two margins.

    The margins are cells too, so they line up with what they summarise: a column
    "Voldaan" with each ministry's norms met of judged, and a row "Rijksbreed" with, per
    norm, how many of the ministries that judged it meet it. `totals` (the read model's
    `norm_totals`, over every organisation) gives that row when the grid holds only the
    organisations a reader may see; without it the grid itself is counted.
    """
    cells = grid.copy()
    cells["kolom"] = cells["norm"].astype(str) + ". " + cells["label"]
    cells["cel"] = _cell_labels(cells)
    cells["verandering"] = change_texts(cells).where(cells["aangeleverd"], "")
    per_norm = vocabulary.share_met(cells, ["norm"]) if totals is None else totals
    margins = pd.DataFrame(_ministry_margins(cells) + _norm_margins(per_norm))
    data = pd.concat([cells, margins], ignore_index=True)
    data["staat_label"] = data["staat"].where(data["staat"] != MARGIN, "")
    for flag in ("aangeleverd", "niet_meer_beoordeeld"):
        data[flag] = data[flag].astype("boolean").fillna(False).astype(bool)
    # Text columns without a value (margins have no previous quarter) become "": Vega's
    # JSON has no NaN, and an object column keeps it as NaN through Altair's clean-up.
    text = data.select_dtypes(include=["object", "str"]).columns
    data[text] = data[text].fillna("")
    return _styled(data, "staat", {**STYLE, MARGIN: MARGIN_STYLE})


def _ministry_margins(cells: pd.DataFrame) -> list[dict[str, Any]]:
    shares = vocabulary.share_met(cells, ["departement", "naam"])
    return [
        {
            "departement": row["departement"],
            "naam": row["naam"],
            "norm": 0,
            "kolom": TOTAL_COLUMN,
            "onderdeel": "totaal",
            "staat": MARGIN,
            "cel": vocabulary.count_label(int(row["voldaan"]), int(row["beoordeeld"])),
            "toelichting": vocabulary.share_text(int(row["voldaan"]), int(row["beoordeeld"]))
            + " van de beoordeelde normen voldaan",
            "aandeel": row["aandeel"] if row["beoordeeld"] else -1.0,
        }
        for row in shares.to_dict("records")
    ]


def _norm_margins(per_norm: pd.DataFrame) -> list[dict[str, Any]]:
    norms = vocabulary_norms()
    shares = per_norm[per_norm["norm"].isin(norms["norm"])].merge(norms, on="norm")
    return [
        {
            "departement": GOVERNMENT_ROW,
            "naam": "Rijksbreed: de beoordeelde ministeries",
            "norm": row["norm"],
            "kolom": row["kolom"],
            "onderdeel": row["onderdeel"],
            "staat": MARGIN,
            "cel": vocabulary.count_label(int(row["voldaan"]), int(row["beoordeeld"])),
            "toelichting": f"{int(row['voldaan'])} van de {int(row['beoordeeld'])} ministeries "
            "met een oordeel op deze norm voldoen (niet beoordeeld, onbekend en niet "
            "aangeleverd tellen niet mee)",
        }
        for row in shares.to_dict("records")
    ]


def row_order(data: pd.DataFrame, by: str) -> list[str]:
    """Ministries by name, or by share met (best first); the government-wide row last."""
    totals = data[(data["kolom"] == TOTAL_COLUMN) & (data["departement"] != GOVERNMENT_ROW)]
    if by == "score":
        totals = totals.sort_values(["aandeel", "departement"], ascending=[False, True])
    else:
        totals = totals.sort_values("departement", key=lambda s: s.str.lower())
    return [*totals["departement"].tolist(), GOVERNMENT_ROW]


def _grid_layers(
    data: pd.DataFrame,
    x: alt.X,
    y: alt.Y,
    tooltip: Sequence[alt.Tooltip],
    styles: dict[str, tuple[str, str, str]],
    legend_title: str,
    selection: alt.Parameter | None = None,
    font_size: int = 13,
) -> alt.LayerChart:
    """Coloured cells, a dashed outline on white (missing) cells, and a text label in each."""
    base = alt.Chart().encode(x=x, y=y)
    legend = alt.Legend(
        title=legend_title,
        orient="bottom",
        direction="horizontal",
        columns=legend_columns(list(styles)),
        labelLimit=LEGEND_WIDTH,
        symbolStrokeColor="#555555",
        symbolType="square",
    )
    scale = alt.Scale(domain=list(styles), range=[fill for _, fill, _ in styles.values()])
    rect = base.mark_rect(stroke="#FFFFFF", strokeWidth=1.5).encode(
        color=alt.Color("staat_label:N", scale=scale, legend=legend), tooltip=list(tooltip)
    )
    outlines = [
        # Decorative (the cell's text says the state): hidden from assistive technology, so an
        # outline layer without cells in one facet leaves no unnamed graphic behind.
        base.transform_filter(alt.datum.staat_label == state).mark_rect(
            fill=None, stroke="#333333", strokeDash=dash, strokeWidth=1.2, aria=False
        )
        for state, dash in OUTLINES.items()
        if state in set(data["staat_label"])
    ]
    text = base.mark_text(fontSize=font_size, font=FONT).encode(
        text="cel:N", color=alt.Color("tekstkleur:N", scale=None), tooltip=list(tooltip)
    )
    if selection is not None:
        # The label covers the cell's centre, where people click: both layers select.
        rect = rect.add_params(selection)
        text = text.add_params(selection)
    return cast(alt.LayerChart, alt.layer(rect, *outlines, text, data=data))


def heatmap(data: pd.DataFrame, rows: list[str]) -> AltairChart:
    """Ministries × the fifteen norms, grouped under their pillar, with margins."""
    selection = alt.selection_point(name="cel", fields=["departement", "norm"], on="click")
    tooltip = [
        alt.Tooltip("naam:N", title="Ministerie"),
        alt.Tooltip("kolom:N", title="Norm"),
        alt.Tooltip("staat_label:N", title="Oordeel"),
        alt.Tooltip("verandering:N", title="Sinds vorig kwartaal"),
        alt.Tooltip("toelichting:N", title="Toelichting"),
    ]
    # Upright labels and 42-pixel cells: the whole grid, Totaal included, fits the page at
    # 1280 pixels beside the menu (issue 23); slanted labels reached past the last column.
    x_axis = alt.Axis(orient="top", labelAngle=-90, labelLimit=240, labelOverlap=False)
    layers = _grid_layers(
        data,
        x=alt.X("kolom:N", sort=alt.EncodingSortField("norm"), title=None, axis=x_axis),
        y=alt.Y("departement:N", sort=rows, title=None, axis=alt.Axis(labelFontSize=13)),
        tooltip=tooltip,
        styles={**STYLE},
        legend_title="Oordeel",
        selection=selection,
        font_size=12,
    ).properties(width=alt.Step(42), height=alt.Step(28))
    headers = {**ONDERDEEL_HEADERS, "totaal": "Totaal"}
    header = alt.Header(
        labelExpr=" : ".join(f"datum.value == '{k}' ? '{v}'" for k, v in headers.items()) + " : ''",
        labelFontSize=15,
        labelFontWeight="bold",
        labelOrient="top",
    )
    column = alt.Column("onderdeel:N", sort=[*ONDERDELEN, "totaal"], title=None, header=header)
    return finish(layers.facet(column=column, spacing=8).resolve_scale(x="independent"))


def state_grid(
    data: pd.DataFrame,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
) -> AltairChart:
    """A ministry's or a norm's oordeel over time: the overview's cells in another arrangement."""
    cells = data.copy()
    cells["cel"] = _cell_labels(cells)
    cells["staat_label"] = cells["staat"]
    cells = _styled(cells, "staat", STYLE)
    tooltip = [
        alt.Tooltip(f"{y}:N", title=y_title),
        alt.Tooltip(f"{x}:N", title=x_title),
        alt.Tooltip("staat:N", title="Oordeel"),
        alt.Tooltip("toelichting:N", title="Toelichting"),
    ]
    grid = _grid_layers(
        cells,
        # Every quarter keeps its label, "2023-Q4 (audit AR)" included: no pruning by overlap.
        x=alt.X(
            f"{x}:O",
            title=None,
            axis=alt.Axis(orient="top", labelAngle=-40, labelOverlap=False, labelLimit=180),
        ),
        y=alt.Y(f"{y}:N", sort=None, title=None, axis=alt.Axis(labelFontSize=13, labelLimit=220)),
        tooltip=tooltip,
        styles=STYLE,
        legend_title="Oordeel",
    )
    return finish(grid.properties(width=alt.Step(62), height=alt.Step(28)))


def assessor_changes(data: pd.DataFrame) -> pd.DataFrame:
    """Quarters where the assessor changes (the Court's audit → self-assessment), with words."""
    if "bron" not in data or data.empty:
        return pd.DataFrame(columns=["periode", "tekst"])
    per_quarter = data.groupby("periode")["bron"].agg(
        lambda b: " / ".join(sorted({v for v in b if v}))
    )
    per_quarter = per_quarter.sort_index()
    changed = per_quarter.ne(per_quarter.shift()) & per_quarter.shift().notna()
    return pd.DataFrame(
        {
            "periode": per_quarter.index[changed],
            "tekst": [f"vanaf hier: {b}" for b in per_quarter[changed]],
        }
    )


def share_lines(data: pd.DataFrame, series: str, title: str) -> AltairChart:
    """Share met over quarters, one line per series with its own colour, dash and shape.

    The data are like for like (`etl.domain.normgrid.panel_shares`: the same norms in every
    quarter, so "van y" is the same along a line); every point's tooltip says "x van y" and
    the newest point of each line carries it as a label (a label on every point overlapped
    the others), the table under the chart lists them all; a rule marks where the assessor
    changes (the Court's 2023 audit → the ministries' own judgement).
    """
    domain = sorted(set(data[series]), key=lambda v: (*ONDERDELEN, v).index(v))
    colours = alt.Scale(domain=domain, range=SERIES_COLOURS[: len(domain)])
    x = alt.X("periode:O", title="Kwartaal", axis=alt.Axis(labelAngle=-40))
    base = alt.Chart(data).encode(
        x=x,
        y=alt.Y(
            "aandeel:Q", title=title, scale=alt.Scale(domain=[0, 1.08]), axis=alt.Axis(format="%")
        ),
        color=alt.Color(
            f"{series}:N", scale=colours, legend=alt.Legend(title=None, orient="bottom")
        ),
        strokeDash=alt.StrokeDash(
            f"{series}:N", scale=alt.Scale(domain=domain, range=SERIES_DASHES), legend=None
        ),
        shape=alt.Shape(f"{series}:N", scale=alt.Scale(domain=domain, range=SERIES_SHAPES)),
    )
    tooltip = [
        alt.Tooltip("periode:N", title="Kwartaal"),
        alt.Tooltip(f"{series}:N", title="Reeks"),
        alt.Tooltip("aandeel:Q", title="Aandeel voldaan", format=".0%"),
        alt.Tooltip("x_van_y:N", title="Voldaan van beoordeeld"),
        alt.Tooltip("bron:N", title="Oordeel van"),
    ]
    lines = base.mark_line(strokeWidth=2.5)
    points = base.mark_point(size=80, filled=True).encode(tooltip=tooltip)
    newest = data["periode"] == data.groupby(series)["periode"].transform("max")
    labels = (
        alt.Chart(data[newest])
        .encode(x=x, y="aandeel:Q", color=alt.Color(f"{series}:N", scale=colours, legend=None))
        .mark_text(align="left", dx=8, fontSize=11, font=FONT)
        .encode(text="x_van_y:N")
    )
    layers: list[Any] = [lines, points, labels]
    changes = assessor_changes(data)
    if not changes.empty:
        rule = alt.Chart(changes).encode(x=x)
        layers.append(rule.mark_rule(color="#333333", strokeDash=[4, 3]))
        layers.append(
            rule.mark_text(
                align="left", dx=4, y=6, fontSize=11, font=FONT, color=TEXT_COLOUR
            ).encode(text="tekst:N")
        )
    return finish(alt.layer(*layers, height=320))


def ministry_multiples(data: pd.DataFrame, columns: int = 5) -> AltairChart:
    """Small multiples of share met per ministry; quarters from a predecessor drawn hollow."""
    cells = data.copy()
    cells["herkomst"] = [
        f"voorganger {door}" if via else "eigen aanlevering"
        for door, via in zip(cells["door"], cells["via_voorganger"], strict=True)
    ]
    cells["bron_soort"] = cells["via_voorganger"].map({True: VIA_PREDECESSOR, False: OWN})
    kinds = [OWN, VIA_PREDECESSOR]
    base = alt.Chart().encode(
        x=alt.X("periode:O", title=None, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y(
            "aandeel:Q",
            title=None,
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%", tickCount=3),
        ),
    )
    line = base.mark_line(color="#01689B", strokeWidth=2)
    points = base.mark_point(size=45, color="#01689B").encode(
        shape=alt.Shape(
            "bron_soort:N",
            scale=alt.Scale(domain=kinds, range=["circle", "square"]),
            legend=alt.Legend(title="Herkomst", orient="bottom", labelLimit=400),
        ),
        fill=alt.Fill(
            "bron_soort:N", scale=alt.Scale(domain=kinds, range=["#01689B", "#FFFFFF"]), legend=None
        ),
        tooltip=[
            alt.Tooltip("ministerie:N", title="Ministerie"),
            alt.Tooltip("periode:N", title="Kwartaal"),
            alt.Tooltip("herkomst:N", title="Herkomst"),
            alt.Tooltip("aandeel:Q", title="Aandeel voldaan", format=".0%"),
            alt.Tooltip("x_van_y:N", title="Voldaan van beoordeeld"),
            alt.Tooltip("bron:N", title="Oordeel van"),
        ],
    )
    header = alt.Header(labelFontSize=14, labelFontWeight="bold")
    facet = alt.Facet("ministerie:N", title=None, header=header)
    chart = alt.layer(line, points, data=cells, width=170, height=110)
    return finish(chart.facet(facet=facet, columns=columns))


def status_grid(status: pd.DataFrame) -> AltairChart:
    """Ministries × quarters: on time, late, missing or open, with the number of versions."""
    cells = status.copy()
    cells["cel"] = [
        STATUS_STYLE[s][0] + (f" ({v}×)" if v > 1 else "")
        for s, v in zip(cells["status"], cells["versies"], strict=True)
    ]
    cells["staat_label"] = cells["status"]
    cells["datum"] = [
        f"ontvangen {r:%d-%m-%Y}, termijn {t:%d-%m-%Y}" if pd.notna(r) else f"termijn {t:%d-%m-%Y}"
        for r, t in zip(cells["ontvangen"], cells["termijn"], strict=True)
    ]
    cells = _styled(cells, "status", STATUS_STYLE)
    tooltip = [
        alt.Tooltip("departement:N", title="Ministerie"),
        alt.Tooltip("periode:N", title="Kwartaal"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("versies:Q", title="Versies"),
        alt.Tooltip("datum:N", title="Datum"),
    ]
    grid = _grid_layers(
        cells,
        x=alt.X("periode:O", title=None, axis=alt.Axis(orient="top", labelAngle=-40)),
        y=alt.Y("departement:N", title=None, axis=alt.Axis(labelFontSize=13)),
        tooltip=tooltip,
        styles=STATUS_STYLE,
        legend_title="Aanlevering",
    )
    return finish(grid.properties(width=alt.Step(74), height=alt.Step(26)))


# --- survey ------------------------------------------------------------------------------

SERIES_STYLE = {  # series: (colour, shape)
    "ministerie": ("#01689B", "circle"),
    "rijksbreed": ("#000000", "diamond"),
    "mediaan ministeries": ("#E17000", "triangle-up"),
}
VERDICT_ROW = "t.o.v. rest van het Rijk"  # the row under an item's points that says it
# Answer colours: disagree orange, neutral grey, agree blue; "weet niet" light with a label.
ANSWER_COLOURS = {
    "Helemaal oneens": "#B35806",
    "Oneens": "#F1A340",
    "Neutraal": "#BDBDBD",
    "Eens": "#7CB5DC",
    "Helemaal eens": "#01689B",
    "Weet niet": "#F0F0F0",
    "(Bijna) geen": "#B35806",
    "Enkele": "#F1A340",
    "Regelmatig": "#7CB5DC",
    "(Bijna) alle": "#01689B",
    # Having had a suspicion is neither good nor bad: neutral greys.
    "Ja": "#9E9E9E",
    "Nee": "#E0E0E0",
    "Formeel gemeld": "#01689B",
    "Niet gemeld": "#F1A340",
    "Structureel gesteund": "#01689B",
    "Gesteund als ik erom vraag": "#7CB5DC",
    "Onvoldoende gesteund": "#B35806",
}


def survey_intervals(data: pd.DataFrame) -> AltairChart:
    """Headline shares with 95% intervals: the ministry, RIJK and the median ministry per item;
    below them, in a row of its own from 0%, whether the ministry differs from the rest of
    the Rijk beyond chance. Beside the ministry's point the words ran past the chart's right
    edge for shares near 100% and were cut off (and Vega narrowed the plot to make room)."""
    order = list(dict.fromkeys(data["itemlabel"]))
    series = list(SERIES_STYLE)
    rows = [*series, VERDICT_ROW]
    # Up to three lines of 13 px in an item's four rows of 12.
    axis = alt.Axis(
        labelExpr=wrapped_labels(order, 34), labelLimit=300, labelFontSize=12, labelLineHeight=13
    )
    y = alt.Y("itemlabel:N", sort=order, title=None, axis=axis)
    x = alt.X(
        "aandeel:Q",
        # Two lines: in one, the title ran past a narrow plot's right edge (1280 pixels).
        title=["Aandeel met het kopcijfer (95%-interval);", "zie 'kopcijfer telt' in de tabel"],
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%"),
    )
    offset = alt.YOffset("reeks:N", sort=rows, scale=alt.Scale(domain=rows))
    colour = alt.Color(
        "reeks:N",
        scale=alt.Scale(domain=series, range=[c for c, _ in SERIES_STYLE.values()]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    shape = alt.Shape(
        "reeks:N", scale=alt.Scale(domain=series, range=[s for _, s in SERIES_STYLE.values()])
    )
    tooltip = [
        alt.Tooltip("stelling:N", title="Stelling"),
        alt.Tooltip("kopcijfer:N", title="Kopcijfer telt"),
        alt.Tooltip("reeks:N", title="Reeks"),
        alt.Tooltip("tekst:N", title="Cijfer"),
    ]
    base = alt.Chart(data).encode(y=y, yOffset=offset, color=colour, tooltip=tooltip)
    rules = base.mark_rule(strokeWidth=2).encode(x="ondergrens:Q", x2="bovengrens:Q")
    points = base.mark_point(size=90, filled=True).encode(x=x, shape=shape)
    layers = [rules, points]
    if "teken" in data and data["teken"].astype(bool).any():
        # Beyond chance against the rest of the Rijk: said in words under the item's points.
        marked = data[data["teken"].astype(bool)].assign(reeks=VERDICT_ROW, begin=0.0)
        words = alt.Chart(marked).encode(y=y, yOffset=offset, x=alt.X("begin:Q"), text="teken:N")
        layers.append(words.mark_text(align="left", baseline="middle", font=FONT, fontSize=12,
                                      fontWeight="bold", color=TEXT_COLOUR))  # fmt: skip
    return finish(alt.layer(*layers, height=alt.Step(12)))


def survey_distribution(data: pd.DataFrame) -> AltairChart:
    """Every answer per item as a stacked bar, neutral and "weet niet" visible, labelled."""
    order = list(dict.fromkeys(data["itemlabel"]))
    labels = list(dict.fromkeys(data.sort_values("volgorde")["antwoord_label"]))
    colours = [ANSWER_COLOURS.get(label, "#999999") for label in labels]
    cells = data.assign(
        percentage=[f"{round(100 * p)}%" if p >= 0.06 else "" for p in data["aandeel"]],
        tekstkleur=[
            "#FFFFFF" if ANSWER_COLOURS.get(a) in ("#01689B", "#B35806") else "#000000"
            for a in data["antwoord_label"]
        ],
    )
    # Two lines of 13 px in a bar's 32 (the longest statement, 85 characters, takes two);
    # in 26 Vega hid every other label as overlapping.
    axis = alt.Axis(
        labelExpr=wrapped_labels(order, 46), labelLimit=340, labelFontSize=12, labelLineHeight=13
    )
    base = alt.Chart().encode(
        y=alt.Y("itemlabel:N", sort=order, title=None, axis=axis),
        x=alt.X("aandeel:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
        order=alt.Order("volgorde:Q"),
        tooltip=[
            alt.Tooltip("stelling:N", title="Stelling"),
            alt.Tooltip("antwoord_label:N", title="Antwoord"),
            alt.Tooltip("aandeel:Q", title="Aandeel", format=".0%"),
            alt.Tooltip("aantal:Q", title="Aantal"),
        ],
    )
    bars = base.mark_bar(stroke="#FFFFFF", strokeWidth=1).encode(
        color=alt.Color(
            "antwoord_label:N",
            scale=alt.Scale(domain=labels, range=colours),
            sort=labels,
            legend=alt.Legend(
                title="Antwoord",
                orient="bottom",
                columns=legend_columns(labels),
                labelLimit=LEGEND_WIDTH,
                # Squares of a bar's colour with an outline: "Weet niet" (near white) shows.
                symbolType="square",
                symbolSize=150,
                symbolStrokeColor="#555555",
            ),
        )
    )
    text = (
        base.mark_text(fontSize=11, font=FONT)
        .encode(
            x=alt.X("midden:Q"), text="percentage:N", color=alt.Color("tekstkleur:N", scale=None)
        )
        .transform_stack(
            stack="aandeel",
            groupby=["itemlabel"],
            sort=[alt.SortField("volgorde")],
            as_=["start", "eind"],
        )
        .transform_calculate(midden="(datum.start + datum.eind) / 2")
    )
    return finish(alt.layer(bars, text, data=cells, height=alt.Step(32)))


def block_scatter(data: pd.DataFrame) -> AltairChart:
    """Voorbeeldgedrag against cultuur, one labelled point per ministry."""
    base = alt.Chart().encode(
        x=alt.X(
            "cultuur:Q",
            title="Cultuur: aandeel (helemaal) eens",
            scale=alt.Scale(zero=False),
            axis=alt.Axis(format="%"),
        ),
        y=alt.Y(
            "voorbeeldgedrag:Q",
            title="Voorbeeldgedrag: aandeel (helemaal) eens",
            scale=alt.Scale(zero=False),
            axis=alt.Axis(format="%"),
        ),
        tooltip=[
            alt.Tooltip("departement:N", title="Ministerie"),
            alt.Tooltip("cultuur:Q", format=".0%"),
            alt.Tooltip("voorbeeldgedrag:Q", format=".0%"),
        ],
    )
    points = base.mark_point(size=80, filled=True, color="#01689B")
    labels = base.mark_text(dx=8, align="left", fontSize=12, font=FONT).encode(text="departement:N")
    return finish(alt.layer(points, labels, data=data, height=380))


PAGE_SIZE = 40  # rows of the heatmap per page; the norm headers repeat on every page


def page_of_rows(order: list[str], page: int, size: int = PAGE_SIZE) -> list[str]:
    """One page of the row order (1-based), with the government-wide row always last."""
    rows = [code for code in order if code != GOVERNMENT_ROW]
    start = (page - 1) * size
    return [*rows[start : start + size], GOVERNMENT_ROW]


def page_count(order: list[str], size: int = PAGE_SIZE) -> int:
    """How many pages the rows need (at least one)."""
    rows = [code for code in order if code != GOVERNMENT_ROW]
    return max(1, -(-len(rows) // size))


# --- how policy works --------------------------------------------------------------------

# Axis numbers the Dutch way (1.000, not Vega's English 1,000).
DUTCH_THOUSANDS = "replace(format(datum.value, ','), /,/g, '.')"
FUNNEL_POSITIONS = {  # position: (shape, words on the chart)
    "binnen": ("circle", "binnen de grenzen"),
    "boven": ("triangle-up", "boven de 99,8%-grens"),
    "onder": ("triangle-down", "onder de 99,8%-grens"),
}


def count_bars(data: pd.DataFrame, category: str, title: str) -> AltairChart:
    """Horizontal bars of counts (`laag`), with the count in words (`tekst`) beside each bar
    ("afgeschermd" at zero for a hidden count, which has no bar). `data` has `category`,
    `laag`, `hoog`, `tekst`, in the order to show."""
    order = list(data[category])
    data = data.assign(positie=data["hoog"].fillna(0))
    # Every bar keeps its label (no label may be dropped for overlap: a bar without a name
    # says nothing), so each row gets its own step of height.
    axis = alt.Axis(labelLimit=320, labelOverlap=False)
    base = alt.Chart().encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=axis),
        tooltip=[alt.Tooltip(f"{category}:N", title=title), alt.Tooltip("tekst:N", title="Aantal")],
    )
    x_axis = alt.Axis(labelExpr=DUTCH_THOUSANDS)
    bars = base.mark_bar(color=SERIES_COLOURS[0]).encode(
        x=alt.X("laag:Q", title=title, axis=x_axis)
    )
    labels = base.mark_text(align="left", dx=6, font=FONT, fontSize=12, color=TEXT_COLOUR).encode(
        x="positie:Q", text="tekst:N"
    )
    return finish(alt.layer(bars, labels, data=data, height=alt.Step(28)))


def funnel_plot(
    points: pd.DataFrame, limits: pd.DataFrame, rijk: float, measure: str = "Meldingen"
) -> AltairChart:
    """`measure` per 1,000 employees a year against headcount (log scale), each
    organisation labelled with its code and a shape for its position; the Rijk's rate
    (labelled on the chart) and the bands a rate falls in by chance alone (95% dashed, 99.8%
    solid). A range of rates (hidden small counts) is a vertical line."""
    data = points.assign(
        punt=(points["tarief_laag_punt"] + points["tarief_hoog_punt"]) / 2,
        vorm=points["positie"].map(lambda p: FUNNEL_POSITIONS[p][1]),
    )
    x = alt.X(
        "medewerkers:Q",
        title=["Persoonsjaren: medewerkers × het deel van het jaar", "(logaritmische schaal)"],
        scale=alt.Scale(type="log"),
        axis=alt.Axis(labelExpr=DUTCH_THOUSANDS, values=[10**n for n in range(1, 8)]),
    )
    y_title = f"{measure} per 1.000 medewerkers per jaar"
    bands = limits.melt(
        id_vars=["medewerkers"],
        value_vars=[str(c) for c in limits.columns if "_" in str(c)],
        var_name="grens",
        value_name="tarief",
    )
    bands["niveau"] = bands["grens"].str.split("_").str[1] + "%"
    lines = (
        alt.Chart(bands)
        .mark_line(color=TEXT_COLOUR, strokeWidth=1)
        .encode(
            x=x,
            y=alt.Y("tarief:Q", title=y_title),
            detail="grens:N",
            strokeDash=alt.StrokeDash(
                "niveau:N",
                title="Grens (bij toeval)",
                scale=alt.Scale(domain=["95%", "99,8%"], range=[[5, 4], [1, 0]]),
            ),
        )
    )
    rijk_frame = pd.DataFrame({"rijk": [rijk], "medewerkers": [float(limits["medewerkers"].min())],
                               "woord": ["rijksgemiddelde"]})  # fmt: skip
    centre = alt.Chart(rijk_frame).mark_rule(color=SERIES_COLOURS[2]).encode(y="rijk:Q")
    centre_label = (
        alt.Chart(rijk_frame)
        .mark_text(align="left", dy=-8, font=FONT, fontSize=12, color=SERIES_COLOURS[2])
        .encode(x=x, y="rijk:Q", text="woord:N")
    )
    base = alt.Chart(data).encode(
        x=x,
        tooltip=[
            alt.Tooltip("departement:N", title="Organisatie"),
            alt.Tooltip("medewerkers:Q", title="Persoonsjaren", format=",.0f"),
            alt.Tooltip("tarief:N", title=y_title),
            alt.Tooltip("vorm:N", title="Positie"),
        ],
    )
    marks = base.mark_point(filled=True, size=90, color=SERIES_COLOURS[0]).encode(
        y=alt.Y("punt:Q", title=y_title),
        shape=alt.Shape(
            "vorm:N",
            title="Positie",
            scale=alt.Scale(
                domain=[v[1] for v in FUNNEL_POSITIONS.values()],
                range=[v[0] for v in FUNNEL_POSITIONS.values()],
            ),
        ),
    )
    data["label_y"] = label_heights(
        np.log10(data["medewerkers"].to_numpy(dtype=float)), data["punt"].to_numpy(dtype=float),
        [len(str(c)) for c in data["departement"]],
        top=float(max(data["punt"].max(), bands["tarief"].max())),
        x_range=(float(np.log10(limits["medewerkers"].min())),
                 float(np.log10(limits["medewerkers"].max()))),
    )  # fmt: skip
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=8, font=FONT, fontSize=12, color=TEXT_COLOUR)
        .encode(x=x, y="label_y:Q", text="departement:N")
    )
    return finish(alt.layer(lines, centre, centre_label, marks, labels, height=420))


def label_heights(
    x: np.ndarray,
    y: np.ndarray,
    widths: list[int],
    top: float,
    x_range: tuple[float, float],
    height: float = 420,
    width: float = 640,
) -> np.ndarray:
    """Heights for point labels that do not overlap: each label beside its point, moved up
    or down in steps of one line where an earlier label (higher points first) is in the
    way. `x` and `x_range` (the axis's domain) in the axis's units (log10 for a log scale),
    `y` from zero to `top`; `widths` in characters."""
    start, span = x_range[0], max(x_range[1] - x_range[0], 1e-9)
    step = 15 / height  # one line of 12-point text, as a share of the plot's height
    placed: list[tuple[float, float, float]] = []  # (left, right, middle) as shares
    result = np.array(y, dtype=float)
    for i in sorted(range(len(y)), key=lambda k: -float(y[k]) if np.isfinite(y[k]) else 0.0):
        if not np.isfinite(y[i]) or not np.isfinite(x[i]):
            continue
        left = (float(x[i]) - start) / span + 8 / width
        right = left + 7.5 * widths[i] / width
        middle = float(y[i]) / top if top > 0 else 0.0
        for move in (0, -1, 1, -2, 2, -3, 3, -4, 4):
            candidate = middle + move * step
            if all(r < left or a > right or abs(candidate - m) >= step for a, r, m in placed):
                break
        placed.append((left, right, candidate))
        result[i] = candidate * top
    return result


def rate_trend(data: pd.DataFrame, time: str, measure: str = "Meldingen") -> AltairChart:
    """`measure` per 1,000 over `time` for each `reeks` (an organisation and the Rijk): a line
    through the points (the middle of a range), the interval as a vertical line, a shape
    and dash per series so colour is not the only difference."""
    data = data.assign(punt=(data["tarief_laag_punt"] + data["tarief_hoog_punt"]) / 2)
    period = "jaar" if time == "jaar" else "kwartaal"  # the chart's heading names the measure
    series = list(dict.fromkeys(data["reeks"]))
    colour = alt.Color(
        "reeks:N", title=None, scale=alt.Scale(domain=series, range=SERIES_COLOURS[: len(series)])
    )
    base = alt.Chart().encode(
        x=alt.X(f"{time}:O", title="Jaar" if time == "jaar" else "Kwartaal"),
        color=colour,
        tooltip=[
            alt.Tooltip("reeks:N", title="Reeks"),
            alt.Tooltip(f"{time}:O"),
            alt.Tooltip("tarief:N", title=f"{measure} per 1.000 medewerkers"),
        ],
    )
    interval = base.mark_rule(strokeWidth=2, opacity=0.6).encode(
        y="interval_laag:Q", y2="interval_hoog:Q"
    )
    line = base.mark_line(point=False).encode(
        y=alt.Y("punt:Q", title=f"Per 1.000 medewerkers per {period}"),
        strokeDash=alt.StrokeDash(
            "reeks:N",
            scale=alt.Scale(domain=series, range=SERIES_DASHES[: len(series)]),
            legend=None,
        ),
    )
    points = base.mark_point(filled=True, size=70).encode(
        y="punt:Q",
        shape=alt.Shape(
            "reeks:N",
            scale=alt.Scale(domain=series, range=SERIES_SHAPES[: len(series)]),
            legend=None,
        ),
    )
    return finish(alt.layer(interval, line, points, data=data, height=300))
