from odoo.exceptions import MissingError, UserError


def ensure_records(records, single=False):
    """Refuse a public method called on no record, on an id that does not exist or (``single``)
    on several records, with an error that names the model.

    Over XML-RPC ``[]``, ``[False]`` or the id of a deleted record would otherwise reach the
    method as an empty recordset, a record named "/" or a record whose first read fails, and
    ``ensure_one()`` answers "Expected singleton". Call it first in every public method that
    acts on records; it returns ``records``.
    """
    env = records.env
    model = env["ir.model"]._get(records._name).sudo().name
    if not records or not all(records._ids):
        raise UserError(
            env._("No %(model)s was given: call this with the id of an existing record.", model=model)
        )
    if single and len(records) > 1:
        raise UserError(
            env._("This works on one %(model)s at a time, not %(count)s.", model=model, count=len(records))
        )
    valid = records.browse(record_id for record_id in records._ids if isinstance(record_id, int))
    missing = records - valid.exists()
    if missing:
        raise MissingError(
            env._(
                "No %(model)s with id %(ids)s exists: it may have been deleted.",
                model=model,
                ids=", ".join(str(record_id) for record_id in missing._ids),
            )
        )
    return records
