"""Every public method of the suite answers over XML-RPC: True, ids or an action, never None.

The methods are found in the addons' source (discovery.py): every class of addons/*/models and
addons/*/wizard with a ``_name`` or ``_inherit``, every method without a leading underscore,
except the ORM's own (create, write, ...) and compute, onchange and constraint methods. Each is
called over XML-RPC, in the test module of the addon that defines it
(test_public_methods_<addon>.py), on records made for it (records.py) by the recipe of the same
name in that module's ``CALLS`` (a method without a recipe fails the test: give it one). The
answer must not be the fault "cannot marshal None", which is what XML-RPC answers for a method
that returns nothing. Other faults fail too: each recipe sets up records the method works on,
and Odoo logs a refused call as a warning, which setup/test's log check counts as a failure.

The recipes create their own records, but some methods act on all that is due in a company
(a SEPA collection gathers the demo invoices too): setup/test runs this folder after the other
end-to-end tests.
"""

from discovery import public_methods
from test_public_methods_base import CALLS as BASE_CALLS
from test_public_methods_dunning import CALLS as DUNNING_CALLS
from test_public_methods_einvoice import CALLS as EINVOICE_CALLS
from test_public_methods_recurring import CALLS as RECURRING_CALLS
from test_public_methods_sepa import CALLS as SEPA_CALLS
from test_public_methods_webshop import CALLS as WEBSHOP_CALLS

CALLS = BASE_CALLS | DUNNING_CALLS | EINVOICE_CALLS | RECURRING_CALLS | SEPA_CALLS | WEBSHOP_CALLS


def test_every_public_method_is_found():
    found = public_methods()
    assert ("billing.webshop.event", "action_retry") in found
    assert ("billing.sepa.batch", "create_collection") in found
    assert ("account.move", "button_draft") in found, "overrides count too"
    assert not [method for method in found if method not in CALLS], "give these methods a recipe in CALLS"
    assert not [method for method in CALLS if method not in found], "recipes of methods that are gone"
