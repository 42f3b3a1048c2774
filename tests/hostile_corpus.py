"""The hostile-input corpus: what the outside world may send to the suite, and what must come of it.

One entry per case, run by ``test_hostile_corpus.py`` against the running server:

``id``
    the case's name (the pytest id).
``entry``
    where the input goes in:

    ``webhook``
        ``POST /billing_webshop/webhook/<backend>`` of a WooCommerce backend whose webhook secret
        the test set. ``input``: ``body`` (see below), ``signature`` (``valid``, ``wrong``,
        ``none``), ``backend`` (``shop``, ``archived``, ``no_secret``, or a number), ``method``.
    ``rpc``
        an XML-RPC ``execute_kw``. ``input``: ``user`` (``admin``, ``salesman``, ``invoicing``,
        ``accountant``, ``b_manager``: a webshop and accounting manager of another company),
        ``model``, ``method``, ``args``, ``kwargs``. Strings ``"@name"`` in the arguments stand for
        records the test made (``@backend``, ``@event``, ``@mandate``, ``@batch``, ``@invoice``,
        ``@company``, ``@company_b``).
    ``xml_upload``
        an XML file uploaded as a vendor bill the way the Upload button does it
        (``ir.attachment`` + ``account.journal.create_document_from_attachment``): the one route by
        which an XML file from outside reaches the server today. ``input``: ``xml`` (bytes).

``expect``
    ``status`` (HTTP status), ``fault`` (text the XML-RPC fault must hold), ``result`` (the RPC
    result), ``stored`` (records created per model; every other model counted must not change),
    ``event`` (fields of the stored webhook event, after processing it when ``process`` is set),
    ``raw_kept`` (the raw body is kept byte for byte with the event).
``xfail``
    the reason, for the cases that fail until another branch is merged.

A body is ``{"order": {path: value}}`` (the test's WooCommerce order with these changes;
``path`` is dotted, ``DELETE`` removes the key), ``{"raw": bytes}``, ``{"text": str}`` with
``{order}`` standing for the order's JSON, or ``{"nested": depth}``.
"""

import base64

DELETE = "<delete>"
# The texts of Odoo's refusals: a record rule, an access right, a field's groups.
RULE = "top-secret records"
ACL = "You are not allowed to"
FIELD = "enough rights to access the fields"

# What an uploaded XML file leaves whatever its content: a draft vendor bill and the file.
_UPLOADED = {"account.move": 1, "ir.attachment": 1}

# Well-formed UBL invoice around ``{body}``.
_UBL = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "{doctype}"
    '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"'
    ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
    "<cbc:ID>{body}</cbc:ID><cbc:IssueDate>2026-12-01</cbc:IssueDate></Invoice>"
)


# A signed body that cannot be read is kept, byte for byte, in the error queue (issue 20, item 1):
# the event and the attachment holding the bytes (its raw_body field).
_RAW_KEPT_IN_ERROR = {
    "status": 200,
    "stored": {"billing.webshop.event": 1, "ir.attachment": 1},
    "event": {"state": "error"},
    "raw_kept": True,
}


def _stored_in_error(error):
    """Accepted (200) and stored as an event in error whose error holds ``error``, with the body
    that could not be read kept byte for byte (an attachment)."""
    return dict(_RAW_KEPT_IN_ERROR, event={"state": "error", "error": error})


def _imported_in_error(error):
    """Accepted and queued; importing it puts the event in error (holding ``error``), nothing else."""
    return {
        "status": 200,
        "stored": {"billing.webshop.event": 1},
        "event": {"state": "error", "error": error},
        "process": True,
    }


def _ubl(body="HOSTILE-1", doctype=""):
    return _UBL.format(body=body, doctype=doctype).encode()


CASES = [
    # -- webhook bodies ---------------------------------------------------------------------------
    {
        "id": "webhook-nul-byte-raw",
        "entry": "webhook",
        "input": {"body": {"raw": b'{"id": 4242, "customer_note": "a\x00b"}'}},
        "expect": _RAW_KEPT_IN_ERROR,
    },
    {
        "id": "webhook-nul-escaped-in-json",
        "entry": "webhook",
        # An escaped NUL ("\u0000") is valid JSON, but no Odoo text field can hold it: the delivery
        # is kept in error naming the field, its bytes with it.
        "input": {"body": {"order": {"customer_note": "before\x00after"}}},
        "expect": dict(_RAW_KEPT_IN_ERROR, event={"state": "error", "error": "customer_note"}),
    },
    {
        "id": "webhook-invalid-utf8",
        "entry": "webhook",
        "input": {"body": {"raw": b'{"id": 4243, "customer_note": "\xff\xfe\xc3("}'}},
        "expect": _RAW_KEPT_IN_ERROR,
    },
    {
        "id": "webhook-latin1-body",
        "entry": "webhook",
        "input": {"body": {"raw": '{"id": 4244, "customer_note": "Café Müller"}'.encode("latin-1")}},
        "expect": _RAW_KEPT_IN_ERROR,
    },
    {
        "id": "webhook-utf16-body",
        "entry": "webhook",
        "input": {"body": {"raw": '{"id": 4245}'.encode("utf-16")}},
        "expect": _RAW_KEPT_IN_ERROR,
    },
    {
        "id": "webhook-body-over-2-mib",
        "entry": "webhook",
        "input": {"body": {"raw": b'{"id": 1, "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'}},
        "expect": {"status": 413, "stored": {}},
    },
    {
        "id": "webhook-deeply-nested-array",
        "entry": "webhook",
        "input": {"body": {"nested": 100_000}},
        "expect": _stored_in_error("not JSON"),
    },
    {
        "id": "webhook-deeply-nested-in-order",
        "entry": "webhook",
        "input": {"body": {"text": '{{"meta": {nested}, "order": {order}}}', "depth": 50_000}},
        "expect": _stored_in_error("not JSON"),
    },
    {
        "id": "webhook-json-array",
        "entry": "webhook",
        "input": {"body": {"raw": b"[1, 2, 3]"}},
        "expect": _stored_in_error("not a JSON object"),
    },
    {
        "id": "webhook-json-string",
        "entry": "webhook",
        "input": {"body": {"raw": b'"order"'}},
        "expect": _stored_in_error("not a JSON object"),
    },
    {
        "id": "webhook-not-json",
        "entry": "webhook",
        "input": {"body": {"raw": b"<order><id>1</id></order>"}},
        "expect": _stored_in_error("not JSON"),
    },
    {
        "id": "webhook-empty-body",
        "entry": "webhook",
        "input": {"body": {"raw": b""}},
        # Nothing to keep byte for byte: the event alone says what came.
        "expect": _imported_in_error("not JSON") | {"process": False},
    },
    {
        "id": "webhook-duplicate-keys-last-wins",
        "entry": "webhook",
        # JSON leaves duplicate keys to the reader; like every JSON reader, the last one counts.
        "input": {"body": {"text": '{{"currency": "EUR", {order_tail}', "order": {"currency": "XTS"}}},
        "expect": _imported_in_error("XTS"),
    },
    {
        "id": "webhook-negative-quantity",
        "entry": "webhook",
        "input": {"body": {"order": {"line_items.0.quantity": -2}}},
        "expect": _imported_in_error("totals"),
    },
    {
        "id": "webhook-quantity-not-a-number",
        "entry": "webhook",
        "input": {"body": {"order": {"line_items.0.quantity": "two"}}},
        "expect": _imported_in_error("quantity"),
    },
    {
        "id": "webhook-quantity-huge",
        "entry": "webhook",
        "input": {"body": {"order": {"line_items.0.quantity": 10**400}}},
        "expect": _imported_in_error("quantity"),
    },
    {
        "id": "webhook-total-not-a-number",
        "entry": "webhook",
        "input": {"body": {"order": {"total": "lots"}}},
        "expect": _imported_in_error("total"),
    },
    {
        "id": "webhook-total-nan",
        "entry": "webhook",
        "input": {"body": {"text": '{order_head}, "total": NaN}}', "order": {"total": DELETE}}},
        "expect": _imported_in_error("total"),
    },
    {
        "id": "webhook-line-items-not-a-list",
        "entry": "webhook",
        "input": {"body": {"order": {"line_items": "MUG-DB x 2"}}},
        "expect": _imported_in_error("line_items"),
    },
    {
        "id": "webhook-billing-null",
        "entry": "webhook",
        "input": {"body": {"order": {"billing": None, "shipping": None}}},
        "expect": _imported_in_error("billing"),
    },
    {
        "id": "webhook-order-id-missing",
        "entry": "webhook",
        "input": {"body": {"order": {"id": DELETE}}},
        "expect": _stored_in_error("id"),
    },
    {
        "id": "webhook-order-id-object",
        "entry": "webhook",
        "input": {"body": {"order": {"id": {"$gt": 0}}}},
        "expect": _imported_in_error("id"),
    },
    {
        "id": "webhook-wrong-currency",
        "entry": "webhook",
        # The backend's pricelist is in the company's currency (USD or EUR), never yen.
        "input": {"body": {"order": {"currency": "JPY"}}},
        "expect": _imported_in_error("JPY"),
    },
    {
        "id": "webhook-currency-not-iso",
        "entry": "webhook",
        "input": {"body": {"order": {"currency": "'; DROP TABLE sale_order; --"}}},
        "expect": _imported_in_error("DROP TABLE"),
    },
    {
        "id": "webhook-unknown-sku",
        "entry": "webhook",
        "input": {
            "body": {"order": {"line_items.0.sku": "NO-SUCH-SKU-4711", "line_items.0.product_id": 987654320}}
        },
        "expect": _imported_in_error("NO-SUCH-SKU-4711"),
    },
    {
        "id": "webhook-unknown-product-id-no-sku",
        "entry": "webhook",
        "input": {"body": {"order": {"line_items.0.sku": "", "line_items.0.product_id": 987654321}}},
        "expect": _imported_in_error("987654321"),
    },
    {
        "id": "webhook-wrong-signature",
        "entry": "webhook",
        "input": {"body": {"order": {}}, "signature": "wrong"},
        "expect": {"status": 403, "stored": {}},
    },
    {
        "id": "webhook-no-signature",
        "entry": "webhook",
        "input": {"body": {"order": {}}, "signature": "none"},
        "expect": {"status": 403, "stored": {}},
    },
    {
        "id": "webhook-backend-without-secret",
        "entry": "webhook",
        "input": {"body": {"order": {}}, "backend": "no_secret", "signature": "empty_secret"},
        "expect": {"status": 403, "stored": {}},
    },
    {
        "id": "webhook-archived-backend",
        "entry": "webhook",
        "input": {"body": {"order": {}}, "backend": "archived"},
        "expect": {"status": 404, "stored": {}},
    },
    {
        "id": "webhook-unknown-backend",
        "entry": "webhook",
        "input": {"body": {"order": {}}, "backend": 999_999_999},
        "expect": {"status": 404, "stored": {}},
    },
    {
        "id": "webhook-backend-id-beyond-integer",
        "entry": "webhook",
        "input": {"body": {"order": {}}, "backend": 99_999_999_999_999},
        "expect": {"status": 404, "stored": {}},
    },
    {
        "id": "webhook-get-method",
        "entry": "webhook",
        "input": {"body": {"raw": b""}, "method": "GET"},
        "expect": {"status": 405, "stored": {}},
    },
    {
        "id": "webhook-activation-ping",
        "entry": "webhook",
        "input": {"body": {"raw": b"webhook_id=12"}, "signature": "none", "form": True},
        "expect": {"status": 200, "stored": {}},
    },
    # -- XML files ------------------------------------------------------------------------------
    {
        "id": "xml-xxe-local-file",
        "entry": "xml_upload",
        "input": {"xml": _ubl("&xxe;", '<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')},
        "expect": {"stored": _UPLOADED, "not_in_bill": "root:"},
    },
    {
        "id": "xml-billion-laughs",
        "entry": "xml_upload",
        "input": {
            "xml": _ubl(
                "&lol9;",
                "<!DOCTYPE Invoice ["
                '<!ENTITY lol "lol">'
                + "".join(
                    f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
                    for n in range(1, 10)
                )
                + "]>",
            )
        },
        "expect": {"stored": _UPLOADED, "not_in_bill": "lollollol"},
    },
    {
        "id": "xml-external-dtd",
        "entry": "xml_upload",
        "input": {"xml": _ubl("X", '<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">')},
        "expect": {"stored": _UPLOADED},
    },
    {
        "id": "xml-external-parameter-entity",
        "entry": "xml_upload",
        "input": {"xml": _ubl("X", '<!DOCTYPE Invoice [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>')},
        "expect": {"stored": _UPLOADED, "not_in_bill": "root:"},
    },
    {
        "id": "xml-huge-text-node",
        "entry": "xml_upload",
        "input": {"xml": _ubl("A" * 3_000_000)},
        "expect": {"stored": _UPLOADED},
    },
    {
        "id": "xml-truncated",
        "entry": "xml_upload",
        "input": {"xml": _ubl()[:-25]},
        "expect": {"stored": _UPLOADED},
    },
    {
        "id": "xml-wrong-namespace",
        "entry": "xml_upload",
        "input": {"xml": _ubl().replace(b"xsd:Invoice-2", b"xsd:Invoice-9")},
        "expect": {"stored": _UPLOADED},
    },
    {
        "id": "xml-encoding-declared-utf16-is-utf8",
        "entry": "xml_upload",
        "input": {"xml": _ubl("Müller").replace(b'encoding="UTF-8"', b'encoding="UTF-16"')},
        "expect": {"stored": _UPLOADED},
    },
    {
        "id": "xml-encoding-declared-utf8-is-latin1",
        "entry": "xml_upload",
        "input": {"xml": _UBL.format(body="Müller", doctype="").encode("latin-1")},
        "expect": {"stored": _UPLOADED},
    },
    {
        "id": "xml-finvoice-with-doctype",
        "entry": "xml_upload",
        "input": {
            "xml": b'<?xml version="1.0"?><!DOCTYPE Finvoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Finvoice Version="3.0"><InvoiceDetails><InvoiceNumber>&x;</InvoiceNumber>'
            b"</InvoiceDetails></Finvoice>"
        },
        "expect": {"stored": _UPLOADED, "not_in_bill": "root:"},
    },
    {
        "id": "xml-binary-garbage",
        "entry": "xml_upload",
        "input": {"xml": b"\x00\x01\x02<?xml \xff\xfe"},
        "expect": {"stored": _UPLOADED},
    },
    # -- XML-RPC --------------------------------------------------------------------------------
    {
        "id": "rpc-import-order-payload-list",
        "entry": "rpc",
        "input": {
            "model": "billing.webshop.backend",
            "method": "import_order",
            "args": [["@backend"], [1, 2]],
        },
        "expect": {"fault": "not a JSON object", "stored": {}},
    },
    {
        "id": "rpc-import-order-payload-number",
        "entry": "rpc",
        "input": {"model": "billing.webshop.backend", "method": "import_order", "args": [["@backend"], 42]},
        "expect": {"fault": "not a JSON object", "stored": {}},
    },
    {
        "id": "rpc-import-order-payload-not-json",
        "entry": "rpc",
        "input": {
            "model": "billing.webshop.backend",
            "method": "import_order",
            "args": [["@backend"], "{{{"],
        },
        "expect": {"fault": "not JSON", "stored": {}},
    },
    {
        "id": "rpc-import-order-empty-object",
        "entry": "rpc",
        "input": {"model": "billing.webshop.backend", "method": "import_order", "args": [["@backend"], {}]},
        "expect": {"fault": 'has no field "id"', "stored": {}},
    },
    {
        "id": "rpc-import-order-by-salesman",
        "entry": "rpc",
        "input": {
            "user": "salesman",
            "model": "billing.webshop.backend",
            "method": "import_order",
            "args": [["@backend"], {"id": 1}],
        },
        "expect": {"fault": ACL, "stored": {}},
    },
    {
        "id": "rpc-import-order-into-other-company",
        "entry": "rpc",
        "input": {
            "user": "b_manager",
            "model": "billing.webshop.backend",
            "method": "import_order",
            "args": [["@backend"], {"id": 1}],
        },
        "expect": {"fault": RULE, "stored": {}},
    },
    {
        "id": "rpc-import-order-unknown-backend",
        "entry": "rpc",
        "input": {
            "model": "billing.webshop.backend",
            "method": "import_order",
            "args": [[999_999_999], {"id": 1}],
        },
        "expect": {"fault": "exists: it may have been deleted", "stored": {}},
    },
    {
        "id": "rpc-private-method",
        "entry": "rpc",
        "input": {
            "model": "billing.webshop.backend",
            "method": "_receive_webhook",
            "args": [["@backend"], {}, "e30="],
        },
        "expect": {"fault": "Private methods", "stored": {}},
    },
    {
        "id": "rpc-cron-method",
        "entry": "rpc",
        "input": {"model": "billing.webshop.event", "method": "_cron_process_events", "args": []},
        "expect": {"fault": "Private methods", "stored": {}},
    },
    {
        "id": "rpc-sepa-cron-method",
        "entry": "rpc",
        "input": {"model": "billing.sepa.mandate", "method": "_cron_expire_mandates", "args": []},
        "expect": {"fault": "Private methods", "stored": {}},
    },
    {
        "id": "rpc-secret-read-by-salesman",
        "entry": "rpc",
        "input": {
            "user": "salesman",
            "model": "billing.webshop.backend",
            "method": "read",
            "args": [["@backend"], ["webhook_secret"]],
        },
        "expect": {"fault": FIELD, "stored": {}},
    },
    {
        "id": "rpc-secret-searched-by-salesman",
        "entry": "rpc",
        "input": {
            "user": "salesman",
            "model": "billing.webshop.backend",
            "method": "search",
            "args": [[["webhook_secret", "ilike", "whsec"]]],
        },
        "expect": {"fault": FIELD, "stored": {}},
    },
    {
        "id": "rpc-operator-key-written-by-accountant",
        "entry": "rpc",
        "input": {
            "user": "accountant",
            "model": "res.company",
            "method": "write",
            "args": [["@company"], {"finvoice_operator_api_key": "stolen"}],
        },
        "expect": {"fault": ACL, "stored": {}},
    },
    {
        "id": "rpc-backend-unlinked-by-salesman",
        "entry": "rpc",
        "input": {
            "user": "salesman",
            "model": "billing.webshop.backend",
            "method": "unlink",
            "args": [["@backend"]],
        },
        "expect": {"fault": ACL, "stored": {}},
    },
    {
        "id": "rpc-event-retried-by-salesman",
        "entry": "rpc",
        "input": {
            "user": "salesman",
            "model": "billing.webshop.event",
            "method": "action_retry",
            "args": [["@event"]],
        },
        "expect": {"fault": ACL, "stored": {}},
    },
    {
        "id": "rpc-event-ignore-returns-a-value",
        "entry": "rpc",
        "input": {"model": "billing.webshop.event", "method": "action_ignore", "args": [["@event"]]},
        "expect": {"result": True, "stored": {}},
    },
    {
        "id": "rpc-mandate-create-missing-fields",
        "entry": "rpc",
        # The name marks the refused INSERT that Odoo logs (setup/log_allowlist.txt).
        "input": {
            "user": "invoicing",
            "model": "billing.sepa.mandate",
            "method": "create",
            "args": [{"name": "HOSTILE-MISSING-FIELDS"}],
        },
        "expect": {"fault": "a mandatory field is not set", "stored": {}},
    },
    {
        "id": "rpc-create-collection-date-wrong-type",
        "entry": "rpc",
        "input": {
            "user": "invoicing",
            "model": "billing.sepa.batch",
            "method": "create_collection",
            "args": [[2026, 12]],
        },
        "expect": {"fault": "YYYY-MM-DD", "stored": {}},
    },
    {
        "id": "rpc-create-collection-bad-date",
        "entry": "rpc",
        "input": {
            "user": "invoicing",
            "model": "billing.sepa.batch",
            "method": "create_collection",
            "args": ["the seventh of December"],
        },
        "expect": {"fault": "YYYY-MM-DD", "stored": {}},
    },
    {
        "id": "rpc-create-collection-for-other-company",
        "entry": "rpc",
        "input": {
            "user": "b_manager",
            "model": "billing.sepa.batch",
            "method": "create_collection",
            "args": ["2026-12-07", "@sepa_company"],
        },
        "expect": {"fault": "no access", "stored": {}},
    },
    {
        "id": "rpc-mandate-of-other-company-activated",
        "entry": "rpc",
        "input": {
            "user": "b_manager",
            "model": "billing.sepa.mandate",
            "method": "action_activate",
            "args": [["@mandate"]],
        },
        "expect": {"fault": RULE, "stored": {}},
    },
    {
        "id": "rpc-batch-files-of-other-company",
        "entry": "rpc",
        "input": {
            "user": "b_manager",
            "model": "billing.sepa.batch",
            "method": "get_files",
            "args": [["@batch"]],
        },
        "expect": {"fault": RULE, "stored": {}},
    },
    {
        "id": "rpc-batch-marked-collected-by-invoicing-user",
        "entry": "rpc",
        "input": {
            "user": "sepa_invoicing",
            "model": "billing.sepa.batch",
            "method": "action_mark_collected",
            "args": [["@batch"]],
        },
        "expect": {"fault": "Only accounting managers", "stored": {}},
    },
    {
        "id": "rpc-invoice-of-other-company-sent",
        "entry": "rpc",
        "input": {
            "user": "b_manager",
            "model": "account.move",
            "method": "action_einvoice_send",
            "args": [["@invoice"]],
        },
        "expect": {"fault": RULE, "stored": {}},
    },
    {
        "id": "rpc-dunning-run-for-other-company",
        "entry": "rpc",
        "input": {
            "user": "b_manager",
            "model": "billing.dunning.run",
            "method": "create",
            "args": [{"company_id": "@company"}],
        },
        "expect": {"fault": "", "stored": {}},
    },
]

# -- bank reports (billing_sepa's returns import, over XML-RPC) -----------------------------------
# A camt.054 skeleton around ``{body}``: each hostile file is refused before anything is imported.
_CAMT054 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "{doctype}"
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>'
    "<GrpHdr><MsgId>{body}</MsgId><CreDtTm>2026-12-01T10:00:00</CreDtTm></GrpHdr>"
    "</BkToCstmrDbtCdtNtfctn></Document>"
)


def _camt054(body="HOSTILE-1", doctype=""):
    return _CAMT054.format(body=body, doctype=doctype).encode()


def _bank_report_case(case_id, data, fault="cannot be imported"):
    return {
        "id": f"bank-report-{case_id}",
        "entry": "rpc",
        "input": {
            "model": "billing.sepa.return.import",
            "method": "import_file",
            "args": [base64.b64encode(data).decode() if isinstance(data, bytes) else data, f"{case_id}.xml"],
        },
        "expect": {"fault": fault, "stored": {}},
    }


CASES += [
    _bank_report_case(
        "xxe", _camt054("&xxe;", '<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    ),
    _bank_report_case(
        "billion-laughs",
        _camt054(
            "&lol3;",
            '<!DOCTYPE Document [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
        ),
    ),
    _bank_report_case(
        "external-dtd", _camt054("X", '<!DOCTYPE Document SYSTEM "http://127.0.0.1:9/evil.dtd">')
    ),
    _bank_report_case("huge-text-node", _camt054("A" * 3_000_000)),
    _bank_report_case("truncated", _camt054()[:-30]),
    _bank_report_case("not-xml", b"%PDF-1.7 not a bank report"),
    _bank_report_case("unknown-namespace", _camt054().replace(b"camt.054.001.08", b"camt.099.001.01")),
    _bank_report_case(
        "wrong-encoding-declaration",
        _camt054("M\u00fcller").replace(b'encoding="UTF-8"', b'encoding="UTF-16"'),
    ),
    _bank_report_case("not-base64", "this is not base64!", fault="not base64 encoded"),
]
