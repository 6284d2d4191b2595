"""The read model: every read of the database, and who may see what, in one place.

Like datasette's `Database` object, a `ReadModel` owns the reading side of one database
file: the SQL the dashboard, the exports, the meeting papers and the derived tables ask
for lives here and nowhere else, parameters bound. It answers in DataFrames through
the pooled read-only connections of `etl.store.database`, combined with the pure figures
of `etl.domain.normgrid` and `etl.domain.survey`. An `Access` travels with it: detail of
organisations a reader may not see is dropped here, once, so no screen, download or paper
can forget it; government-wide figures are computed over everyone and stay visible to all.
No Streamlit: the dashboard caches these answers, the command line uses them directly.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from etl.domain.kinds import KINDS
from etl.reads.agenda import AGREEMENT_EXPORT, AgendaReads
from etl.reads.base import EVERYONE, GOVERNMENT, Access, DatabaseBusy, NotAllowed, Reader, local_iso
from etl.reads.ledger import HISTORY_COLUMNS, LEDGER_HEADINGS, LedgerReads
from etl.reads.survey import read_survey, read_survey_waves
from etl.reads.werking import WerkingReads

__all__ = [
    "AGREEMENT_EXPORT", "EVERYONE", "GOVERNMENT", "HISTORY_COLUMNS", "LEDGER_HEADINGS", "Access",
    "DatabaseBusy", "NotAllowed", "ReadModel", "Reader", "local_iso", "read_survey",
    "read_survey_waves",
]  # fmt: skip


class ReadModel(AgendaReads, LedgerReads, WerkingReads):
    """The reading side of one database file, seen with one `Access`: every subject's reads
    (`etl.reads.norms`, `ledger`, `agenda`, `survey`, `werking`) on one object."""

    def export(self, kind: str, periode: str | None, departement: str | None) -> pd.DataFrame:
        """The newest version of `kind` in the contract's columns (`etl export`): the counts
        of how policy works as loaded; every other kind by its own reader below."""
        if KINDS[kind].derives == "werking":  # type: ignore[index]
            return self.werking_export(kind, periode, departement)
        reader: Callable[[str | None, str | None], pd.DataFrame] = getattr(self, kind)
        return reader(periode, departement)
