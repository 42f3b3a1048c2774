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
