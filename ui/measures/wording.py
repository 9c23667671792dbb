"""Measures in words: totals, flags (a safety flag always spelt out) and change summaries."""

from __future__ import annotations

from models.formatting import date_text, signed_number
from models.instruments import ChangeLabel, ChangeSummary, FlagKind, Instrument, Score


def safety_text(result: Score) -> str:
    """'item 9 = 1' for each positive safety item, joined; '' when none."""
    return "; ".join(f"item {flag.item} = {flag.value}" for flag in result.safety_flags)


def flags_text(result: Score, *, brief: bool = False) -> str:
    """Every flag in words; a safety flag is spelt out, never shown by colour alone.
    `brief` leaves out the safety item's wording (for a narrow table column)."""
    parts = [f"⚠ SAFETY: item {flag.item} = {flag.value}" if brief and flag.item is not None
             else f"⚠ SAFETY: {flag.describe()}" for flag in result.safety_flags]
    parts += [flag.label for flag in result.flags if flag.kind is not FlagKind.SAFETY]
    return "; ".join(parts)


def score_text(instrument: Instrument, result: Score) -> str:
    """'12 of 27' / '14 (prorated)' / 'incomplete, not charted'."""
    if result.total is None:
        return "incomplete, not charted"
    if result.prorated:
        return f"{result.total} (prorated)"
    return str(result.total)


def _signed(change: int) -> str:
    """+3 points, −1 point, 0 points."""
    return f"{signed_number(change)} point{'s' if abs(change) != 1 else ''}"


def change_label_text(summary: ChangeSummary) -> str:
    if summary.label is ChangeLabel.NOT_ENOUGH_DATA:
        return "Needs a later complete administration"
    if summary.label is ChangeLabel.NO_RULE:
        return "No reliable-change rule for this measure"
    return summary.label.value.capitalize()


def change_lines(instrument: Instrument, summary: ChangeSummary) -> tuple[str, str]:
    """The change summary in two lines of plain words: the outcome labels first, then
    baseline, latest and change with the rules they were judged by."""
    base, latest = summary.baseline, summary.latest
    if base is None:
        return ("No complete administration yet",
                "A total with a missing item is kept but not charted or compared.")
    if latest is None or summary.change is None:
        return ("Baseline only: change needs a later complete administration",
                f"Baseline {base.total} ({date_text(base.when)}).")
    outcome = [change_label_text(summary)]
    if summary.clinically_meaningful is not None:
        outcome.append("Clinically meaningful change" if summary.clinically_meaningful
                       else "Not a clinically meaningful change")
    if summary.response is not None:
        outcome.append("Response" if summary.response else "No response")
    if summary.remission is not None:
        outcome.append("Remission" if summary.remission else "Not in remission")
    rules = []
    if instrument.reliable_change is not None:
        rules.append(f"reliable change is {instrument.reliable_change.points:.3g} or more points")
    if instrument.clinically_meaningful is not None:
        rules.append(f"clinically meaningful {instrument.clinically_meaningful.points:.3g} or "
                     "more")
    if instrument.response is not None:
        rules.append(f"response a {instrument.response.percent_reduction:g}% drop from baseline")
    if instrument.remission is not None:
        rules.append(f"remission below {instrument.remission.below:g}")
    detail = (f"Baseline {base.total} ({date_text(base.when)}) → latest {latest.total} "
              f"({date_text(latest.when)}): {_signed(summary.change)}.")
    if rules:
        text = "; ".join(rules)
        detail += f" {text[0].upper()}{text[1:]}."
    return "  ·  ".join(outcome), detail


def describe_change(instrument: Instrument, summary: ChangeSummary) -> str:
    """The change summary as one sentence."""
    base, latest = summary.baseline, summary.latest
    if base is None:
        return f"{instrument.short_name}: no complete administration yet."
    if latest is None or summary.change is None:
        return (f"{instrument.short_name}: baseline {base.total} on {date_text(base.when)}; "
                "change needs a later complete administration.")
    words = [f"{instrument.short_name}: baseline {base.total} on {date_text(base.when)}, "
             f"latest {latest.total} on {date_text(latest.when)}, change {_signed(summary.change)}",
             change_label_text(summary).lower()]
    if summary.clinically_meaningful is not None:
        words.append("clinically meaningful change" if summary.clinically_meaningful
                     else "not a clinically meaningful change")
    if summary.response is not None:
        words.append("response" if summary.response else "no response")
    if summary.remission is not None:
        words.append("remission" if summary.remission else "not in remission")
    return "; ".join(words) + "."
