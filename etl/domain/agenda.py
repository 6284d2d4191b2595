"""The IPIM agenda: for a quarter, the points BZK should discuss, each with its reason.

The Court asked BZK to hold the conversation where a ministry lags and to keep holding
it; these are the signals that something needs that conversation (pure functions from
the read model's frames; `etl.reads.readmodel.ReadModel.agenda` puts them together):

1. `achteruit` — a norm worse than its last judged verdict, or no longer judged;
2. `afspraak_verlopen` — an agreement past its quarter and not done;
3. `afgerond_niet_voldaan` — an agreement marked done while its norm is still not met;
4. `langdurig_niet_voldaan` — a norm not met in three or more judged quarters in a row,
   with no agreement on it under way;
5. `niet_aangeleverd` — no norm scores after the quarter's deadline;
6. `enquete_onder_rijk` — a survey block whose items are significantly below the rest of
   the Rijk (after the Benjamini–Hochberg correction of the survey page).

The order is that of urgency (decided here, see docs/explanation.md): something got worse, a promise
was broken, a promise was called kept too early, a standing gap has no plan, a file is
missing, a survey signal. With every point on norm N come the organisations that meet N,
since when, with their own toelichting: the Court's good examples, findable each quarter.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from etl.domain import catalog, vocabulary
from etl.domain.periods import quarter_end, submission_deadline

UNDER_WAY = ("open", "in uitvoering")
MET = vocabulary.SCORES[vocabulary.VOLDOET]  # a score below it is not met (deels included)
IN_A_ROW = 3
# Each kind of signal with its heading, in order of urgency (the agenda's order).
SIGNALS = {
    "achteruit": "Achteruit sinds het laatste oordeel",
    "afspraak_verlopen": "Afspraak over de termijn",
    "afgerond_niet_voldaan": "Afspraak afgerond, norm nog niet voldaan",
    "langdurig_niet_voldaan": "Langdurig niet voldaan, geen lopende afspraak",
    "niet_aangeleverd": "Niet aangeleverd na de termijn",
    "enquete_onder_rijk": "Enquête: significant onder de rest van het Rijk",
}
URGENCY = {kind: number for number, kind in enumerate(SIGNALS, start=1)}
# What ranks points within a signal, in words beside the rank.
SEVERITY_WORDS = {
    "achteruit": ", {ernst} stap(pen) achteruit",
    "afspraak_verlopen": ", {ernst} kwartaal/kwartalen over de termijn",
    "afgerond_niet_voldaan": "",
    "langdurig_niet_voldaan": ", {ernst} kwartalen op rij",
    "niet_aangeleverd": "",
    "enquete_onder_rijk": ", {ernst} item(s)",
}


@dataclass(frozen=True)
class Peer:
    """An organisation that meets the norm: since which quarter, and in its own words."""

    departement: str
    sinds: str
    toelichting: str
    kwartaal: str = ""  # the quarter of the verdict shown: the agenda's own quarter


@dataclass(frozen=True)
class Point:
    """One point for the agenda."""

    departement: str
    norm: int | None
    soort: str
    reden: str
    link: str
    peers: tuple[Peer, ...] = field(default=())
    ernst: int = 0  # within its signal, higher is more urgent (a deeper fall, a longer gap)
    onderwerp: str = ""  # what else tells points apart: a survey block

    @property
    def urgentie(self) -> int:
        return URGENCY[self.soort]

    @property
    def key(self) -> str:
        """Which point this is, across reruns and days: organisation, norm, signal."""
        norm = self.norm if self.norm is not None else "-"
        return f"{self.departement}/{norm}/{self.soort}" + (
            f"/{self.onderwerp}" if self.onderwerp else ""
        )

    @property
    def rank_reason(self) -> str:
        """Why the point sits where it does: its signal, in the order of urgency."""
        return f"urgentie {self.urgentie} van {len(SIGNALS)}: {SIGNALS[self.soort].lower()}" + (
            SEVERITY_WORDS[self.soort].format(ernst=self.ernst) if self.ernst else ""
        )

    def line(self) -> str:
        """One line of the command line's agenda: code, norm or '–', reason."""
        return f"{self.departement}\t{self.norm if self.norm is not None else '–'}\t{self.reden}"


def agreements_at(history: pd.DataFrame, periode: str) -> pd.DataFrame:
    """The agreements as they stood at the end of the quarter: those made (`vastgesteld`) by
    then, each with the newest version recorded by then. An agreement recorded only later
    (a file loaded afterwards about earlier meetings) shows its newest version: what is known
    of it. One rule for the agenda, its paper and the yearly report ("stand op 31 december")."""
    if history.empty:
        return history
    end = quarter_end(periode)
    made = history[pd.to_datetime(history["vastgesteld"]).dt.date <= end]
    if made.empty:
        return made
    recorded = pd.to_datetime(made["vastgelegd_op"]).dt.date <= end
    keys = ["departement", "id"]
    by_then = made[recorded].sort_values("versie").groupby(keys).tail(1)
    known = set(zip(by_then["departement"], by_then["id"], strict=True))
    later = made[[k not in known for k in zip(made["departement"], made["id"], strict=True)]]
    newest = later.sort_values("versie").groupby(keys).tail(1)
    return pd.concat([by_then, newest]).sort_values(keys).reset_index(drop=True)


def norm_words(norm: int) -> str:
    """'norm 12 (Vertrouwenspersonen en bevoegd gezag)': a norm named, not only numbered."""
    names = {n.nummer: n.label for n in catalog.norms()}
    return f"norm {norm} ({names[norm]})" if norm in names else f"norm {norm}"


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _link(page: str, **params: object) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items() if value is not None)
    return f"/{page}?{query}"


def _label(score: float | int | None) -> str:
    """A stored score in the Court's words ('voldoet niet'); no score: niet beoordeeld."""
    if score is None or score != score:  # None or NaN
        return vocabulary.LONG_LABELS[vocabulary.NIET_BEOORDEELD]
    state = {2: vocabulary.VOLDOET, 1: vocabulary.DEELS, 0: vocabulary.NIET}[int(score)]
    return vocabulary.LONG_LABELS[state]


def judged_runs(scores: pd.DataFrame, periode: str) -> pd.DataFrame:
    """Per organisation and norm, its last judged verdict up to the quarter and how many
    judged quarters in a row (niet beoordeeld skipped) had that same verdict, since when; and
    how many in a row were not met (voldoet niet or voldoet deels: the share met's rule,
    `vocabulary.share_met`), since when."""
    judged = scores[(scores["periode"] <= periode) & scores["score"].notna()]
    judged = judged.sort_values(["departement", "norm", "periode"])
    rows = []
    for key, cells in judged.groupby(["departement", "norm"], sort=False):
        code, norm = str(key[0]), int(str(key[1]))
        values = cells["score"].astype(int).tolist()
        quarters = cells["periode"].tolist()
        last = values[-1]
        run = 1
        while run < len(values) and values[-run - 1] == last:
            run += 1
        short = 0
        while short < len(values) and values[-short - 1] < MET:
            short += 1
        rows.append(
            {
                "departement": code,
                "norm": norm,
                "score": last,
                "laatste": quarters[-1],
                "op_rij": run,
                "sinds": quarters[-run],
                "niet_voldaan_op_rij": short,
                "niet_voldaan_sinds": quarters[-short] if short else None,
                "toelichting": str(cells["toelichting"].iloc[-1] or ""),
            }
        )
    columns = ["departement", "norm", "score", "laatste", "op_rij", "sinds",
               "niet_voldaan_op_rij", "niet_voldaan_sinds", "toelichting"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def peers_by_norm(runs: pd.DataFrame) -> dict[int, tuple[Peer, ...]]:
    """Per norm, every organisation whose last judged verdict meets it, since when in a row,
    longest first, with its own toelichting: made once for the agenda's points (a filter of
    the frame per point took three quarters of the agenda's time)."""
    met = runs[runs["score"] == MET].sort_values(["sinds", "departement"])
    found: dict[int, list[Peer]] = {}
    for r in met.to_dict("records"):
        found.setdefault(int(r["norm"]), []).append(
            Peer(str(r["departement"]), str(r["sinds"]), str(r["toelichting"]), str(r["laatste"]))
        )
    return {norm: tuple(rows) for norm, rows in found.items()}


def peers(
    by_norm: dict[int, tuple[Peer, ...]], norm: int, besides: str, meeting_now: set[str]
) -> tuple[Peer, ...]:
    """Who meets the norm in the agenda's quarter itself (`meeting_now`: its verdict of that
    quarter is voldoet; a ministry that sent nothing since is no example), since when in a
    row, longest first, with its own toelichting."""
    return tuple(
        peer
        for peer in by_norm.get(norm, ())
        if peer.departement != besides and peer.departement in meeting_now
    )


def regressions(grid: pd.DataFrame, periode: str) -> list[Point]:
    worse = grid[(grid["wijziging"] < 0) | grid["niet_meer_beoordeeld"]]
    points = []
    for r in worse.sort_values(["departement", "norm"]).to_dict("records"):
        before = f"{_label(r['vorige_score'])} in {r['vorige_periode']}"
        now = "niet meer beoordeeld" if r["niet_meer_beoordeeld"] else _label(r["score"])
        named = _first_upper(norm_words(int(r["norm"])))
        reason = f"{named} achteruit: {now} in {periode}, was {before}."
        fall = 1 if r["niet_meer_beoordeeld"] else int(-r["wijziging"])
        points.append(Point(r["departement"], int(r["norm"]), "achteruit", reason,
                            _link("ministerie", ministerie=r["departement"], periode=periode,
                                  norm=r["norm"]), ernst=fall))  # fmt: skip
    return points


def overdue(agreements: pd.DataFrame, periode: str) -> list[Point]:
    late = agreements[(agreements["gereed"] < periode) & agreements["status"].isin(UNDER_WAY)]
    return [
        Point(r["departement"], _norm(r["norm"]), "afspraak_verlopen",
              f"Afspraak {r['id']} had gereed moeten zijn in {r['gereed']} en staat op "
              f"'{r['status']}': {_short(r['afspraak'])}",
              _link("ipim", periode=periode, afspraak=f"{r['departement']}/{r['id']}"))
        for r in late.sort_values(["departement", "id"]).to_dict("records")
    ]  # fmt: skip


def done_but_not_met(agreements: pd.DataFrame, runs: pd.DataFrame, periode: str) -> list[Point]:
    done = agreements[(agreements["status"] == "afgerond") & agreements["norm"].notna()]
    if done.empty:
        return []
    merged = done.assign(norm=done["norm"].astype(int)).merge(
        runs, on=["departement", "norm"], how="inner"
    )
    open_gap = merged[merged["score"] < 2]
    return [
        Point(r["departement"], int(r["norm"]), "afgerond_niet_voldaan",
              f"Afspraak {r['id']} staat op afgerond, maar {norm_words(int(r['norm']))} is nog "
              f"'{_label(r['score'])}' (laatste oordeel {r['laatste']}).",
              _link("ministerie", ministerie=r["departement"], periode=periode, norm=r["norm"]))
        for r in open_gap.sort_values(["departement", "norm"]).to_dict("records")
    ]  # fmt: skip


def persistent_gaps(runs: pd.DataFrame, agreements: pd.DataFrame, periode: str) -> list[Point]:
    """A norm not met (voldoet niet or voldoet deels, as the share met counts it) in
    `IN_A_ROW` judged quarters in a row, with no agreement on it under way."""
    gaps = runs[(runs["score"] < MET) & (runs["niet_voldaan_op_rij"] >= IN_A_ROW)]
    under_way = agreements[agreements["status"].isin(UNDER_WAY) & agreements["norm"].notna()]
    pairs = zip(under_way["departement"], under_way["norm"], strict=True)
    covered = {(str(d), int(n)) for d, n in pairs}
    points = []
    for r in gaps.sort_values(["departement", "norm"]).to_dict("records"):
        if (r["departement"], int(r["norm"])) in covered:
            continue
        reason = (
            f"{_first_upper(norm_words(int(r['norm'])))} niet voldaan (voldoet niet of deels) "
            f"in {r['niet_voldaan_op_rij']} beoordeelde kwartalen op rij (sinds "
            f"{r['niet_voldaan_sinds']}, nu '{_label(r['score'])}'); er loopt geen afspraak over."
        )
        # A longer run first; at equal length voldoet niet before voldoet deels.
        points.append(Point(r["departement"], int(r["norm"]), "langdurig_niet_voldaan", reason,
                            _link("ministerie", ministerie=r["departement"], periode=periode,
                                  norm=r["norm"]),
                            ernst=int(r["niet_voldaan_op_rij"])))  # fmt: skip
    return points


def missing(states: pd.DataFrame, periode: str) -> list[Point]:
    late = states[states["staat"] == vocabulary.NIET_AANGELEVERD]
    deadline = submission_deadline(periode)
    return [
        Point(code, None, "niet_aangeleverd",
              f"Geen normscores over {periode}; de termijn verstreek op {deadline:%d-%m-%Y}.",
              _link("aanleverstatus", periode=periode))
        for code in sorted(set(late["departement"]))
    ]  # fmt: skip


def survey_below(kop: pd.DataFrame, periode: str) -> list[Point]:
    """Blocks with items significantly worse than the rest of the Rijk (whole ministry)."""
    if kop.empty or "rest_afwijkend" not in kop:
        return []
    worse_is = kop["richting"].map({"hoger_beter": -1, "lager_beter": 1}).fillna(0)
    below = kop[
        kop["rest_afwijkend"].astype(bool)
        & (kop["groep"] == "alle")
        & (kop["departement"] != vocabulary.RIJK)
        & (worse_is * kop["rest_verschil"].astype(float) > 0)
    ]
    points = []
    for (code, wave, block), items in below.groupby(["departement", "periode", "blok"]):
        statements = {i.item: i.stelling for i in catalog.survey_items()}
        listed = "; ".join(
            f"'{statements.get(i, i)}' ({i})" for i in sorted(items["item"].astype(str))
        )
        reason = (
            f"Enquête {wave}: blok {block} significant slechter dan de rest van het Rijk, "
            f"na correctie voor meervoudig toetsen: {listed}."
        )
        points.append(Point(str(code), None, "enquete_onder_rijk", reason,
                            _link("enquete", ministerie=code, golf=wave), ernst=len(items),
                            onderwerp=f"{wave}/{block}"))  # fmt: skip
    return points


def compile_agenda(
    grid: pd.DataFrame,
    scores: pd.DataFrame,
    agreements: pd.DataFrame,
    states: pd.DataFrame,
    kop: pd.DataFrame,
    periode: str,
) -> list[Point]:
    """Every point for the quarter, most urgent first; norm points with their peers. Only
    organisations that exist in the quarter (the grid's) are on it: EZK's old verdicts are
    no point after it was split."""
    present = set(grid["departement"])
    runs = judged_runs(scores, periode)
    runs = runs[runs["departement"].isin(present)]
    agreements = agreements[agreements["departement"].isin(present)]
    points = (
        regressions(grid, periode)
        + overdue(agreements, periode)
        + done_but_not_met(agreements, runs, periode)
        + persistent_gaps(runs, agreements, periode)
        + missing(states, periode)
        + survey_below(kop, periode)
    )
    meeting = grid[grid["staat"] == vocabulary.VOLDOET] if not grid.empty else grid
    meeting_now = {int(n): set(meeting.loc[meeting["norm"] == n, "departement"])
                   for n in set(meeting["norm"])} if not meeting.empty else {}  # fmt: skip
    by_norm = peers_by_norm(runs)
    with_peers = [
        replace(p, peers=peers(by_norm, p.norm, p.departement, meeting_now.get(p.norm, set())))
        if p.norm is not None
        else p
        for p in one_per_cause(points)
    ]
    return sorted(with_peers, key=lambda p: (p.urgentie, -p.ernst, p.departement, p.norm or 0))


def one_per_cause(points: list[Point]) -> list[Point]:
    """One point per organisation and norm: signals on the same norm (a regression and an
    agreement called done, say) are one conversation, at the most urgent signal's rank,
    with every reason."""
    merged: dict[tuple[str, int], Point] = {}
    rest: list[Point] = []
    for point in sorted(points, key=lambda p: p.urgentie):
        if point.norm is None:
            rest.append(point)
            continue
        key = (point.departement, point.norm)
        if key in merged:
            first = merged[key]
            merged[key] = replace(first, reden=f"{first.reden} Ook: {point.reden}")
        else:
            merged[key] = point
    return [*merged.values(), *rest]


def _norm(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _short(text: object, limit: int = 120) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
