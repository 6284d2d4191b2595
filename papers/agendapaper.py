"""The IPIM agenda as a meeting paper: a landscape table with every point (or the points
marked for the meeting), its rank and the reason for it, the norm in words, and the
organisations that meet the norm in that quarter with their own toelichting."""

from __future__ import annotations

from datetime import date

from etl.domain import agenda
from papers.praatplaat import SOURCE, Page, one_line


def agenda_pdf(
    points: list[agenda.Point], periode: str, today: date, marked: frozenset[str] = frozenset()
) -> bytes:
    """The agenda for the quarter, most urgent first: the marked points when some are
    marked (the meeting's agenda), else every point."""
    chosen = [p for p in points if p.key in marked] if marked else points
    pdf = Page("L")
    pdf.set_auto_page_break(True, margin=14)
    pdf.text_line(f"Agenda IPIM — signalen over {periode}", 15, 9, bold=True)
    scope = (
        f"{len(chosen)} van de {len(points)} punten gemarkeerd voor de vergadering"
        if marked
        else f"{len(points)} punten"
    )
    pdf.text_line(
        f"Opgesteld op {today:%d-%m-%Y} uit de aanleveringen, afspraken en enquête; {scope}, "
        "het urgentste eerst.",
        8.5, 5,
    )  # fmt: skip
    if not chosen:
        pdf.text_line("Er zijn geen signalen voor dit kwartaal.", 10, 7)
    rows = [["Nr", "Organisatie", "Norm", "Reden (plaats op de agenda)",
             "Voldoen wel in dit kwartaal — hoe, in eigen woorden"]]  # fmt: skip
    for number, point in enumerate(chosen, start=1):
        examples = "; ".join(
            f"{peer.departement} (sinds {peer.sinds})"
            + (f": {one_line(peer.toelichting)[:160]}" if peer.toelichting else "")
            for peer in point.peers[:3]
        )
        if len(point.peers) > 3:
            examples += f"; en nog {len(point.peers) - 3}: " + ", ".join(
                p.departement for p in point.peers[3:]
            )
        rows.append([
            str(number), point.departement,
            agenda.norm_words(point.norm) if point.norm is not None else "–",
            f"{one_line(point.reden)} ({point.rank_reason})", examples or "–",
        ])  # fmt: skip
    if chosen:
        pdf.grid(rows, (9, 22, 42, 100, 96), size=7.5)
    pdf.ln(3)
    pdf.text_line(
        "Regels: niet voldaan (voldoet niet of deels) in 3 of meer beoordeelde kwartalen op rij "
        "zonder lopende afspraak (open of in uitvoering); achteruit tegen het laatste oordeel, ook "
        "naar niet beoordeeld; afspraken zoals ze aan het eind van het kwartaal stonden.",
        6.5, 3.5,
    )  # fmt: skip
    pdf.text_line(SOURCE, 6.5, 3.5)
    return bytes(pdf.output())
