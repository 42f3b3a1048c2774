"""The agency's settlement statement and certificate in a status event (readme/AGENCY_API.md):
read and checked here, plain data in and out. No Odoo imports."""

import base64
import binascii
import datetime
import math

AMOUNT_KEYS = ("paid_amount", "costs_recovered", "commission", "costs")
# Inline certificates: the callback body is at most 256 KiB.
MAX_CERTIFICATE_SIZE = 10 * 1024 * 1024


def _amount(data, key, decimals, required=False):
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"The settlement's {key} is not a number: {value!r}.")
    if value < 0:
        raise ValueError(f"The settlement's {key} is negative: {value!r}.")
    return round(float(value), decimals)


def parse_settlement(data, currency, decimals, default_date):
    """The settlement of an event (``data`` is the event's ``settlement`` object) as plain data:
    ``{"settlement_id", "date", "paid_amount", "costs_recovered", "commission", "costs"}``,
    amounts rounded to ``decimals``; ``commission`` is None when the agency left it out.
    Raises ValueError with the reason when it cannot be booked."""
    if not isinstance(data, dict):
        raise ValueError("The settlement is not a JSON object.")
    settlement_id = data.get("settlement_id")
    if not isinstance(settlement_id, str | int) or isinstance(settlement_id, bool) or not str(settlement_id):
        raise ValueError("The settlement has no settlement_id.")
    if str(data.get("currency") or currency) != currency:
        raise ValueError(f"The settlement is in {data.get('currency')}, the dossier in {currency}.")
    day = data.get("date") or default_date
    try:
        day = datetime.date.fromisoformat(str(day)[:10])
    except ValueError as exc:
        raise ValueError(f"The settlement date {day!r} is not a date.") from exc
    result = {"settlement_id": str(settlement_id)[:64], "date": day}
    for key in AMOUNT_KEYS:
        result[key] = _amount(data, key, decimals, required=key == "paid_amount")
    result["costs_recovered"] = result["costs_recovered"] or 0.0
    result["costs"] = result["costs"] or 0.0
    if result["costs_recovered"] > result["paid_amount"]:
        raise ValueError("The settlement's costs_recovered are more than its paid_amount.")
    return result


def parse_certificate(data):
    """(filename, bytes or None, url or None) of an event's ``certificate`` object."""
    if not isinstance(data, dict):
        raise ValueError("The certificate is not a JSON object.")
    filename = str(data.get("filename") or "certificate.pdf")[:128].replace("/", "_")
    if data.get("content_base64"):
        try:
            content = base64.b64decode(str(data["content_base64"]), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("The certificate's content_base64 is not base64.") from exc
        if len(content) > MAX_CERTIFICATE_SIZE:
            raise ValueError("The certificate is too large.")
        return filename, content, None
    if isinstance(data.get("url"), str) and data["url"]:
        return filename, None, data["url"]
    raise ValueError("The certificate has neither content_base64 nor url.")
