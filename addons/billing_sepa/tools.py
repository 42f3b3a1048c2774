from odoo.exceptions import UserError, ValidationError


def run_booking_step(record, step, *args):
    """Run one step of ``record``'s background booking in a savepoint: on a user-facing error
    nothing of the step is kept and ``record._record_booking_error(error)`` records why, so that
    the booking waits until someone retries it. Returns whether the step went through.
    """
    record.ensure_one()
    try:
        with record.env.cr.savepoint():
            step(*args)
    except (UserError, ValidationError) as error:
        record._record_booking_error(error)
        return False
    return True


def get_chunk_size(env, key, default):
    """The chunk size in the system parameter ``key``: a whole number of at least 1, ``default``
    when the parameter is unset or not a number."""
    try:
        return max(int(env["ir.config_parameter"].sudo().get_param(key, default)), 1)
    except ValueError:
        return default
