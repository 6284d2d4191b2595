"""Reads of the employee survey: counts and response, the publication plan, the stored
and exact figures."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from etl.domain import catalog, publication, survey
from etl.domain.kinds import KINDS
from etl.domain.publication import Plan
from etl.reads.base import (
    _FILTERABLE,
    Reader,
    _filtered,
    retrying,
)
from etl.store.database import query_frame, reader
from etl.store.derived import (
    DERIVED_PREFIX,
    changed_since_published,
    derived_fresh,
    derived_table_exists,
    kept_hidden_from,
    survey_data_from,
)


class SurveyReads(Reader):
    """The survey."""

    def enquete(self, periode: str | None = None, departement: str | None = None) -> pd.DataFrame:
        """Counts per ministry and RIJK, groups and `alle`, with every hidden cell left out.

        Hidden cells are dropped whole (no row, so no count to subtract); RIJK still
        includes them, which the complementary suppression has made safe.
        """
        columns = list(KINDS["enquete"].columns)
        counts, response, thresholds = self.survey_data()
        full = survey.complete_counts(counts)
        if full.empty:
            return pd.DataFrame(columns=columns)
        hidden = self._survey_plan(full, response, thresholds).cells
        keys = full[survey.CELL].itertuples(index=False)
        shown = full[[tuple(key) not in hidden for key in keys]]
        order = {g: i for i, g in enumerate(survey.GROUP_ORDER)}
        answers = survey.scale_frame()[["item", "antwoord", "volgorde"]]
        result = _filtered(shown, periode, departement).merge(answers, on=["item", "antwoord"])
        result = result.assign(
            rijk=result["departement"] == catalog.RESERVED_CODE,
            groep_volgorde=result["groep"].map(order),
        ).sort_values(["periode", "rijk", "departement", "item", "groep_volgorde", "volgorde"])
        return self.access.rows(result[columns]).reset_index(drop=True)

    def respons(self, periode: str | None = None, departement: str | None = None) -> pd.DataFrame:
        """Invited and participants per group, `alle` and RIJK; small groups' participation
        left out."""
        columns = list(KINDS["respons"].columns)
        counts, response, thresholds = self.survey_data()
        table = survey.populations(response)
        if table.empty:
            return pd.DataFrame(columns=columns)
        plan = self._survey_plan(survey.complete_counts(counts), response, thresholds)
        hidden = [tuple(key) in plan.groups for key in
                  table[["departement", "periode", "groep"]].itertuples(index=False)]  # fmt: skip
        table = _filtered(table[~pd.Series(hidden, index=table.index)], periode, departement)
        table = table.assign(
            deelgenomen=table["deelgenomen"].astype(int),
            rijk=table["departement"] == catalog.RESERVED_CODE,
        )
        ordered = table.sort_values(["periode", "rijk", "departement", "groep"])[columns]
        return self.access.rows(ordered).reset_index(drop=True)

    def _survey_plan(
        self, full: pd.DataFrame, response: pd.DataFrame, thresholds: dict[str, int]
    ) -> Plan:
        """What the disclosure rule hides: as the last load stored it (the LP audit takes
        seconds at national scale), else computed now."""
        kop, groups = self.stored_survey("kop", {}), self.stored_survey("respons", {})
        if kop is not None and groups is not None and "verborgen" in kop and "verborgen" in groups:
            cells = kop.loc[kop["verborgen"].astype(bool), survey.CELL].astype(str)
            people = groups.loc[
                groups["verborgen"].astype(bool), ["departement", "periode", "groep"]
            ]
            return Plan(
                frozenset(cells.itertuples(index=False, name=None)),
                frozenset(people.astype(str).itertuples(index=False, name=None)),
            )
        return survey.disclosure_plan(
            full, thresholds, None, survey.populations(response), self.kept_hidden(),
            self.changed_since_published(),
        )  # fmt: skip

    def survey_data(self) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
        """Newest survey counts and response, and each wave's threshold (frozen ones first).
        Raw counts: only for computing published figures, never to show."""

        def read() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
            with reader(self.path) as connection:
                if connection is None:
                    return (
                        pd.DataFrame(columns=list(KINDS["enquete"].columns)),
                        pd.DataFrame(columns=list(KINDS["respons"].columns)),
                        {},
                    )
                return survey_data_from(connection)

        return retrying(read)

    def published_survey(self) -> dict[str, pd.DataFrame]:
        """All survey figures computed from the raw counts, after the disclosure rule (only
        when the copy the last load stored is stale: at national scale this takes seconds)."""
        return survey.published_tables(*self.survey_data(), self.kept_hidden(),
                                       changed=self.changed_since_published())  # fmt: skip

    def kept_hidden(self) -> frozenset[tuple[str, str, str, str]]:
        """Survey cells an earlier publication hid; they stay hidden (`etl.domain.publication`)."""

        def read() -> frozenset[tuple[str, str, str, str]]:
            with reader(self.path) as connection:
                return frozenset() if connection is None else kept_hidden_from(connection)

        return retrying(read)

    def changed_since_published(self) -> dict[str, publication.Republished]:
        """See `changed_since_published` (the module function)."""

        def read() -> dict[str, publication.Republished]:
            with reader(self.path) as connection:
                return {} if connection is None else changed_since_published(connection)

        return retrying(read)

    def stored_survey(
        self, name: str, filters: Mapping[str, str | Sequence[str]]
    ) -> pd.DataFrame | None:
        """Rows of one stored survey table, None when stale (see `etl.store.derive`)."""
        return retrying(lambda: read_survey(self.path, name, filters))

    def stored_survey_waves(self) -> list[str] | None:
        """Waves with stored survey figures, newest first; None when stale."""
        return retrying(lambda: read_survey_waves(self.path))

    def survey_rows(
        self,
        name: str,
        filters: Mapping[str, str | Sequence[str]],
        published: Callable[[], dict[str, pd.DataFrame]] | None = None,
        exact_tables: Callable[[], dict[str, pd.DataFrame]] | None = None,
    ) -> pd.DataFrame:
        """Rows of one survey table for the organisations the reader may see and RIJK: the
        published ones (stored when current, else computed by `published`), with exact
        figures where the reader may see them (`Access.survey_exact`, from `exact_tables`)."""
        frame = self.stored_survey(name, filters)
        if frame is None:
            frame = _matching((published or self.published_survey)()[name], filters)
        own = self.access.survey_exact
        if own is None or own:
            exact = _matching((exact_tables or self.exact_survey)()[name], filters)
            if own is None:
                frame = exact
            elif not frame.empty:
                mine = exact[exact["departement"].isin(own)]
                if "mediaan" in mine.columns:  # the median over the published figures only
                    keys = ["periode", "groep", "item"]
                    medians = frame[[*keys, "mediaan"]].drop_duplicates(keys)
                    mine = mine.drop(columns="mediaan").merge(medians, on=keys, how="left")
                frame = pd.concat([frame[~frame["departement"].isin(own)], mine],
                                  ignore_index=True)  # fmt: skip
        return self.access.rows(frame).reset_index(drop=True)

    def exact_survey(self) -> dict[str, pd.DataFrame]:
        """Every survey figure as it is (no disclosure rule): for those who may see it."""
        counts, response, thresholds = self.survey_data()
        return survey.published_tables(counts, response, thresholds, exact=True)

    def ministry_survey(
        self,
        code: str,
        periode: str,
        published: Callable[[], dict[str, pd.DataFrame]] | None = None,
    ) -> tuple[str, str, pd.DataFrame] | None:
        """The key items of the newest wave at or before `periode` with figures for this
        ministry (or its predecessor), beside RIJK: a quarter's page never shows a later
        survey. Returns the wave, whose figures they are, and the items."""
        chain = [c for c in catalog.lineage(code) if self.access.allows(c)]
        filters = {"groep": "alle", "item": list(survey.KEY_ITEMS),
                   "departement": [*chain, catalog.RESERVED_CODE]}  # fmt: skip
        cells = self.survey_rows("kop", filters, published)
        if cells.empty or not chain:
            return None
        for wave in sorted({w for w in cells["periode"] if w <= periode}, reverse=True):
            in_wave = cells[cells["periode"] == wave]
            for source in chain:
                own = in_wave[in_wave["departement"] == source]
                if not own.empty:
                    rijk = in_wave[in_wave["departement"] == catalog.RESERVED_CODE]
                    items = own.set_index("item").join(rijk.set_index("item").add_suffix("_rijk"))
                    return wave, source, items
        return None


def _matching(frame: pd.DataFrame, filters: Mapping[str, str | Sequence[str]]) -> pd.DataFrame:
    """The rows whose columns hold the filters' values."""
    for column, value in filters.items():
        if not frame.empty:
            frame = frame[frame[column].isin([value] if isinstance(value, str) else value)]
    return frame


def read_survey(
    db_path: Path, name: str, filters: Mapping[str, str | Sequence[str]]
) -> pd.DataFrame | None:
    """Rows of one stored survey table (`kop`, `verdeling`, `blokken`, `respons`), filtered on
    equality or membership; None when there are none stored or they are stale."""
    if name not in survey.SURVEY_TABLES or not set(filters) <= set(_FILTERABLE):
        raise ValueError(f"unknown survey table or column: {name} {sorted(filters)}")
    with reader(db_path) as connection:
        if connection is None or not derived_fresh(connection):
            return None
        table = f"{DERIVED_PREFIX}{name}"
        if not derived_table_exists(connection, table):
            return pd.DataFrame()
        conditions = [
            f"{column} = ?" if isinstance(value, str) else f"list_contains(?, {column})"
            for column, value in filters.items()
        ]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        params = [value if isinstance(value, str) else list(value) for value in filters.values()]
        # Table and column names were checked against the lists above; values are parameters.
        return query_frame(connection, f"SELECT * FROM {table}{where}", params)


def read_survey_waves(db_path: Path) -> list[str] | None:
    """Waves with stored survey figures, newest first; None when none are stored or stale."""
    with reader(db_path) as connection:
        if connection is None or not derived_fresh(connection):
            return None
        if not derived_table_exists(connection, f"{DERIVED_PREFIX}kop"):
            return []
        rows = connection.execute(
            f"SELECT DISTINCT periode FROM {DERIVED_PREFIX}kop ORDER BY periode DESC"
        ).fetchall()
        return [str(periode) for (periode,) in rows]
