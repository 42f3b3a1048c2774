"""What the per-addon tests share: a recipe's answer and the test that calls each method.

A recipe takes the :class:`records.Records` of its test module and returns what to call:
``call(ids or None for a model method, *args, context=None, **kwargs)``.
"""

import xmlrpc.client

import pytest
from discovery import public_methods


def call(ids=None, *args, context=None, **kwargs):
    return ids, args, kwargs, context


def each_public_method(addon):
    """Parametrizes a test with (model, method) of every public method of ``addon``."""
    methods = public_methods(addon)
    return pytest.mark.parametrize(
        ("model", "method"), methods, ids=[f"{model}.{method}" for model, method in methods]
    )


def assert_answers_over_xmlrpc(odoo, records, calls, model, method):
    """Calls ``model.method`` on the records of its recipe in ``calls``: any answer but None."""
    if (model, method) not in calls:
        pytest.fail(f"{model}.{method} is public and has no recipe in CALLS")
    ids, args, kwargs, context = calls[model, method](records)
    call_args = list(args) if ids is None else [ids, *args]
    if context:
        kwargs = {**kwargs, "context": context}
    try:
        odoo.models.execute_kw(odoo.db, odoo.uid, odoo.password, model, method, call_args, kwargs)
    except xmlrpc.client.Fault as fault:
        if "cannot marshal None" in fault.faultString:
            pytest.fail(f"{model}.{method} returned None: XML-RPC answered {fault.faultString!r}")
        raise
