"""Public methods of the suite called over XML-RPC with no record, a false id or an id that does
not exist answer a clear error naming the model, never "Expected singleton" or a record named "/".

The methods are found in the addons' source: every public method of a model class in
``models/`` and ``wizard/`` that is not a model method (``@api.model``) and not one of Odoo's
own that the suite extends (``write``, ``message_post``, ...).
"""

import ast
import pathlib
import xmlrpc.client

import pytest

ADDONS = pathlib.Path(__file__).resolve().parent.parent / "addons"
MISSING_ID = 2_147_483_647  # the largest id XML-RPC carries; no test database gets that far
# Odoo's own methods the suite overrides: they keep Odoo's behaviour for empty recordsets.
ODOO_METHODS = {"create", "write", "unlink", "copy", "init", "message_post", "button_draft"}


def _model_name(class_node):
    values = {}
    for statement in class_node.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = statement.value.value
    return values.get("_name") or values.get("_inherit")


def _is_model_method(function):
    return any(
        isinstance(decorator, ast.Attribute) and decorator.attr.startswith("model")
        for decorator in function.decorator_list
    )


def _works_on_one_record(function):
    # The methods that act on one record call the check with single=True.
    return "single=True" in ast.unparse(function.body[1] if ast.get_docstring(function) else function.body[0])


def _public_record_methods():
    methods = []
    for path in sorted(ADDONS.glob("billing_*/*/*.py")):
        if path.parent.name not in ("models", "wizard"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef) or not _model_name(node):
                continue
            for function in node.body:
                if (
                    isinstance(function, ast.FunctionDef)
                    and not function.name.startswith("_")
                    and function.name not in ODOO_METHODS
                    and not _is_model_method(function)
                ):
                    required = len(function.args.args) - 1 - len(function.args.defaults)
                    methods.append(
                        (_model_name(node), function.name, required, _works_on_one_record(function))
                    )
    return methods


METHODS = _public_record_methods()


def test_the_methods_are_found():
    found = {(model, method) for model, method, _required, _single in METHODS}
    assert {
        ("billing.sepa.batch", "action_generate_file"),
        ("billing.sepa.batch", "get_files"),
        ("billing.dunning.charge", "action_waive"),
        ("billing.einvoice.delivery", "action_retry"),
        ("billing.webshop.backend", "import_order"),
        ("billing.webshop.event", "action_ignore"),
        ("billing.dunning.charge.waive", "action_confirm"),
    } <= found
    assert len(found) >= 35


def _fault(odoo, model, method, ids, args):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        odoo(model, method, ids, *args)
    message = caught.value.faultString
    assert "Expected singleton" not in message
    assert not message.startswith("Traceback"), message
    return message


@pytest.mark.parametrize(
    ("model", "method", "required", "single"), METHODS, ids=[f"{m}.{f}" for m, f, _r, _s in METHODS]
)
def test_no_record_or_a_missing_one_is_a_clear_error(odoo, model, method, required, single):
    [description] = odoo("ir.model", "search_read", [("model", "=", model)], ["name"])
    name = description["name"]
    args = [False] * required
    given = f"No {name} was given: call this with the id of an existing record."
    assert given in _fault(odoo, model, method, [], args)
    assert given in _fault(odoo, model, method, [False], args)
    missing = f"No {name} with id {MISSING_ID} exists: it may have been deleted."
    assert missing in _fault(odoo, model, method, [MISSING_ID], args)
    if single:
        several = f"This works on one {name} at a time, not 2."
        assert several in _fault(odoo, model, method, [MISSING_ID - 1, MISSING_ID], args)
