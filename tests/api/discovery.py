"""The public methods of the suite, found in the addons' source.

Every class of addons/*/models and addons/*/wizard with a ``_name`` or ``_inherit``, every
method without a leading underscore, except the ORM's own (create, write, ...) and compute,
onchange and constraint methods: what a client can call over XML-RPC.
"""

import ast
import pathlib

ADDONS = pathlib.Path(__file__).resolve().parents[2] / "addons"
# The ORM's own methods, extended by the addons but not theirs to define.
ORM_METHODS = {"create", "write", "unlink", "read", "copy", "init", "default_get", "search", "name_create"}
NOT_PUBLIC_DECORATORS = ("api.depends", "api.onchange", "api.constrains", "api.ondelete", "api.private")


def _model_name(cls):
    names = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in cls.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("_name", "_inherit")
    }
    name = names.get("_name") or names.get("_inherit")
    return name[0] if isinstance(name, list) else name


def public_methods(addon="*"):
    """[(model, method)] of every public method ``addon`` (by default every addon) defines or
    overrides."""
    found = set()
    for path in sorted(ADDONS.glob(f"{addon}/models/*.py")) + sorted(ADDONS.glob(f"{addon}/wizard/*.py")):
        for cls in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(cls, ast.ClassDef) or not (model := _model_name(cls)):
                continue
            for node in cls.body:
                if (
                    isinstance(node, ast.FunctionDef)
                    and not node.name.startswith("_")
                    and node.name not in ORM_METHODS
                    and not any(ast.unparse(d).startswith(NOT_PUBLIC_DECORATORS) for d in node.decorator_list)
                ):
                    found.add((model, node.name))
    return sorted(found)
