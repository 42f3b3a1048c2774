"""PostgreSQL array literals (``{1,2,NULL}``) of plain Python values, for inserts through
``UNNEST``.

A Python list passed to psycopg2 as a query parameter becomes ``ARRAY[1, 2, ...]``: one
expression per element, which PostgreSQL parses and casts one by one. For the few thousand
reminder lines of a dunning batch that cost about four times the insert itself; the text of
the array, passed as one string and cast (``%s::int4[]``), is read by the array type's input
function in one go.
"""

import datetime
import math
from decimal import Decimal


def array_literal(values):
    """The text of a PostgreSQL array of ``values``: None (NULL), bool, int, float, Decimal,
    str, date or datetime (naive, as Odoo keeps them)."""
    kinds = {type(value) for value in values}
    if kinds <= {int}:
        elements = map(str, values)
    elif kinds <= {datetime.date}:
        elements = map(datetime.date.isoformat, values)
    else:
        elements = map(_element, values)
    return "{" + ",".join(elements) + "}"


def _element(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, datetime.datetime):
        return f'"{value.isoformat(sep=" ")}"'
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(f"no PostgreSQL array element for {value!r}")
