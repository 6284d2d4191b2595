"""The IPIM agenda as a meeting paper: A4 pages with every point, its reason, and the
organisations that meet the norm (the good examples), in the Court's words."""

from __future__ import annotations

from datetime import date

from dashboard.praatplaat import SOURCE, Page, one_line
from etl import agenda


def agenda_pdf(points: list[agenda.Point], periode: str, today: date) -> bytes:
    """The agenda for the quarter, most urgent first, grouped by kind of signal."""
    pdf = Page()
    pdf.set_auto_page_break(True, margin=14)
    pdf.text_line(f"Agenda IPIM — signalen over {periode}", 15, 9, bold=True)
    pdf.text_line(
        f"Opgesteld op {today:%d-%m-%Y} uit de aanleveringen, afspraken en enquête; "
        f"{len(points)} punten, het urgentste eerst.",
        8.5, 5,
    )  # fmt: skip
    if not points:
        pdf.text_line("Er zijn geen signalen voor dit kwartaal.", 10, 7)
    for kind, name in agenda.SIGNALS.items():
        mine = [p for p in points if p.soort == kind]
        if not mine:
            continue
        pdf.heading(f"{agenda.URGENCY[kind]}. {name} ({len(mine)})")
        rows = [["Organisatie", "Norm", "Reden", "Voldoen wel (sinds) — hun toelichting"]]
        for point in mine:
            examples = "; ".join(
                f"{peer.departement} ({peer.sinds})"
                + (f": {one_line(peer.toelichting)[:90]}" if peer.toelichting else "")
                for peer in point.peers[:4]
            )
            if len(point.peers) > 4:
                examples += f"; en nog {len(point.peers) - 4}"
            rows.append([
                point.departement, str(point.norm) if point.norm is not None else "–",
                one_line(point.reden), examples or "–",
            ])  # fmt: skip
        pdf.grid(rows, (24, 11, 80, 67), size=7.5)
    pdf.ln(3)
    pdf.text_line(
        "Regels: voldoet niet in 3 of meer beoordeelde kwartalen op rij zonder lopende afspraak "
        "(open of in uitvoering); achteruit tegen het laatste oordeel, ook naar niet beoordeeld.",
        6.5, 3.5,
    )  # fmt: skip
    pdf.text_line(SOURCE, 6.5, 3.5)
    return bytes(pdf.output())
