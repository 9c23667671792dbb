"""What every report kind opens with, and the masthead its pages carry."""

from __future__ import annotations

from reportlab.platypus import Flowable

from models.formatting import date_text
from models.report_data import ReportData
from models.vocabulary import CLIENT_STATUSES, REPORT_KINDS
from reports.pdf.layout import pairs_table, text
from reports.pdf.page import Masthead


def period_text(data: ReportData) -> str:
    if data.start == data.end:
        return date_text(data.start)
    return f"{date_text(data.start)} – {date_text(data.end)}"


def client_name(data: ReportData) -> str:
    client = data.client
    return f"{client.name} ({client.preferred_name})" if client.preferred_name else client.name


def masthead(data: ReportData) -> Masthead:
    clinician = data.clinician
    return Masthead(
        kind=REPORT_KINDS.label(data.options.kind),
        practice=data.options.practice.strip(),
        clinician=clinician.display if clinician else "",
        client=client_name(data),
        record_number=data.client.record_number,
        born=date_text(data.client.date_of_birth) if data.client.date_of_birth else "",
        period=(f"session of {period_text(data)}" if data.options.kind == "note"
                else f"period {period_text(data)}"),
        made_on=date_text(data.made_on),
    )


def title_block(data: ReportData, subtitle: str = "") -> list[Flowable]:
    """The report's title, its period (or a kind's own `subtitle`), and who it is
    about."""
    client = data.client
    items: list[tuple[str, str | Flowable]] = [("Client", client.name)]
    if client.preferred_name:
        items.append(("Preferred name", client.preferred_name))
    items.append(("Record number", client.record_number))
    items.append(("Date of birth", date_text(client.date_of_birth)))
    if client.pronouns:
        items.append(("Pronouns", client.pronouns))
    status = CLIENT_STATUSES.label(client.status)
    if client.discharged_on:
        status = f"{status} on {date_text(client.discharged_on)}"
        change = client.last_status_change
        if change is not None and change.reason.strip():
            status = f"{status}: {change.reason.strip()}"  # why care ended, for the reader
    items.append(("Status", status))
    if client.diagnoses.strip():
        items.append(("Diagnoses", client.diagnoses.strip()))
    return [
        text(REPORT_KINDS.label(data.options.kind), "title"),
        text(subtitle or f"For the period {date_text(data.start)} to {date_text(data.end)}"
             f"  ·  made {date_text(data.made_on)}", "subtitle"),
        pairs_table(items, columns=2),
    ]
