"""The records the public-method calls work on, created over XML-RPC (see test_public_methods.py)."""

import base64
import datetime
import json
import pathlib
import uuid

from test_finnish_consumer_cycle_xmlrpc import _camt054_credit
from test_sepa_returns_xmlrpc import _camt054

ADDONS = pathlib.Path(__file__).resolve().parents[2] / "addons"
WEBSHOP_ORDER = ADDONS / "billing_webshop/tests/fixtures/woo_order_tax_excluded.json"


class Records:
    """Creates, over XML-RPC, the records each call needs; ``odoo`` is tests/conftest.py's client."""

    def __init__(self, odoo):
        self.odoo = odoo
        self.suffix = uuid.uuid4().hex[:8]
        [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
        self.company_id = user["company_id"][0]
        [company] = odoo("res.company", "read", [self.company_id], ["currency_id"])
        self.currency_id = company["currency_id"][0]
        self.sepa_company_id = self.xmlid("billing_sepa.company_isp_demo")
        self.sepa_context = {"allowed_company_ids": [self.sepa_company_id]}
        self._cache = {}

    def xmlid(self, xmlid):
        module, name = xmlid.split(".")
        [record] = self.odoo(
            "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"]
        )
        return record["res_id"]

    def once(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def unique(self, text):
        return f"{text} {uuid.uuid4().hex[:8]}"

    # consumer e-invoicing (company 1) -------------------------------------------------------------

    def billing_subject(self, announced=False):
        bank_id = self.odoo("res.bank", "create", {"name": self.unique("API bank"), "bic": "OKOYFIHH"})
        [company] = self.odoo("res.company", "read", [self.company_id], ["partner_id"])
        account_id = self.odoo(
            "res.partner.bank",
            "create",
            {
                "acc_number": f"FI49500094{uuid.uuid4().int % 10**8:08d}",
                "partner_id": company["partner_id"][0],
                "bank_id": bank_id,
            },
        )
        subject_id = self.odoo(
            "billing.einvoice.billing.subject",
            "create",
            {
                "name": self.unique("API billing subject"),
                "code": "API",
                "seller_party_identifier": "1234567-1",
                "einvoice_address": "FI4950009420028730",
                "einvoice_intermediator": "OKOYFIHH",
                "bank_account_ids": [(6, 0, [account_id])],
            },
        )
        if announced:
            self.odoo("billing.einvoice.billing.subject", "action_send_add", [subject_id])
            self.odoo(
                "billing.einvoice.billing.subject",
                "write",
                [subject_id],
                {"new_einvoice_address": "FI2112345600000785"},
            )
        return subject_id

    def sender_info_log(self):
        subject_id = self.billing_subject()
        return self.odoo("billing.einvoice.billing.subject", "action_send_add", [subject_id])[0]

    def consumer_order_in_error(self):
        data = base64.b64encode(b"<NotReceiverInfo/>").decode()
        return self.odoo("billing.einvoice.consumer.order", "import_file", data, "api_error.xml")[0]

    def consumer_order(self, partner=False):
        """An order of a new billing subject waiting for its customer (to_match)."""
        subject_id = self.billing_subject()
        [subject] = self.odoo(
            "billing.einvoice.billing.subject", "read", [subject_id], ["sender_info_identifier"]
        )
        data = (ADDONS / "billing_einvoice/tests/data/ri_bare_utf8.xml").read_bytes()
        data = data.replace(b"SUBJ-TEST-001", subject["sender_info_identifier"].encode())
        data = data.replace(b"RI-BARE-0001", f"RI-API-{uuid.uuid4().hex[:12]}".encode())
        [order_id] = self.odoo(
            "billing.einvoice.consumer.order", "import_file", base64.b64encode(data).decode(), "api.xml"
        )
        if partner:
            partner_id = self.customer(name=f"Ville Virtanen {self.suffix}", zip="00100")
            self.odoo("billing.einvoice.consumer.order", "write", [order_id], {"partner_id": partner_id})
        return order_id

    def consumer_order_candidate(self):
        self.customer(name=f"Ville Virtanen {self.suffix}", zip="00100")
        order_id = self.consumer_order()
        self.odoo("billing.einvoice.consumer.order", "action_match", [order_id])
        [order] = self.odoo("billing.einvoice.consumer.order", "read", [order_id], ["candidate_ids"])
        return order["candidate_ids"][0]

    def einvoice_agreement(self):
        order_id = self.consumer_order(partner=True)
        self.odoo("billing.einvoice.consumer.order", "action_allocate", [order_id])
        [order] = self.odoo("billing.einvoice.consumer.order", "read", [order_id], ["agreement_id"])
        return order["agreement_id"][0]

    def receiver_proposal_wizard(self):
        """An e-invoice proposal wizard for a new consumer, filled in with their bank details."""
        return self.odoo(
            "billing.einvoice.receiver.proposal.wizard",
            "create",
            {
                "partner_id": self.customer(),
                "billing_subject_id": self.billing_subject(announced=True),
                "recipient_address": "FI1410093000123458",
                "recipient_intermediator": "NDEAFIHH",
                "identifier": self.unique("PROP").replace(" ", "-"),
                "identifier_type": "09",
            },
        )

    def receiver_proposal(self):
        """A proposal kept as a bank file (no operator transport in company 1)."""
        wizard_id = self.receiver_proposal_wizard()
        return self.odoo("billing.einvoice.receiver.proposal.wizard", "action_send", [wizard_id])["res_id"]

    # invoices (company 1) -----------------------------------------------------------------------

    def customer(self, **values):
        # Download only, no e-mail: sending an invoice makes a PDF and reaches nobody.
        return self.odoo(
            "res.partner",
            "create",
            {"name": self.unique("API customer"), "invoice_sending_method": "manual", **values},
        )

    def posted_invoice(self, partner_id=None, **values):
        invoice_id = self.odoo(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "partner_id": partner_id or self.customer(),
                "invoice_line_ids": [
                    (0, 0, {"name": "Service", "price_unit": 100.0, "tax_ids": [(6, 0, [])]})
                ],
                **values,
            },
        )
        self.odoo("account.move", "action_post", [invoice_id])
        return invoice_id

    def delivery(self, **values):
        return self.odoo(
            "billing.einvoice.delivery",
            "create",
            {"move_id": self.posted_invoice(), "channel": "post", **values},
        )

    # webshop ------------------------------------------------------------------------------------

    def backend(self):
        """A generic-JSON webshop of company 1 (it neither polls nor takes product updates)."""

        def make():
            pricelist_id = self.odoo(
                "product.pricelist", "create", {"name": self.unique("API"), "currency_id": self.currency_id}
            )
            return self.odoo(
                "billing.webshop.backend",
                "create",
                {
                    "name": self.unique("API shop"),
                    "shop_type": "generic",
                    "pricelist_id": pricelist_id,
                    "poll_enabled": False,
                },
            )

        return self.once("backend", make)

    def shopify_backend(self):
        """A Shopify webshop of company 1 whose shop is the addon's emulator, started here."""

        def make():
            # The emulator's modules import each other: loaded as a package, without Odoo.
            from test_webshop_xmlrpc import _wire  # noqa: PLC0415

            shop = _wire("tests.shopify_emulator").ShopifyEmulator("api-client", "api-secret")
            shop.start()  # a daemon thread: it ends with the test run
            pricelist_id = self.odoo(
                "product.pricelist", "create", {"name": self.unique("API"), "currency_id": self.currency_id}
            )
            return self.odoo(
                "billing.webshop.backend",
                "create",
                {
                    "name": self.unique("API Shopify"),
                    "shop_type": "shopify",
                    "base_url": shop.base_url,
                    "api_key": "api-client",
                    "api_secret": "api-secret",
                    "webhook_secret": "api-secret",
                    "pricelist_id": pricelist_id,
                    "poll_enabled": False,
                },
            )

        return self.once("shopify_backend", make)

    def product_binding(self):
        product_id = self.odoo("product.product", "create", {"name": self.unique("API product")})
        return self.odoo(
            "billing.webshop.product.binding",
            "create",
            {"backend_id": self.backend(), "external_id": uuid.uuid4().hex[:8], "product_id": product_id},
        )

    def unknown_order(self):
        """A WooCommerce order with SKUs no product has: it stops in the error queue."""
        order = json.loads(WEBSHOP_ORDER.read_text(encoding="utf-8"))
        order_id = int(uuid.uuid4().hex[:8], 16) % 900_000_000 + 100_000
        order.update(id=order_id, number=str(order_id), customer_id=0)
        for line in order["line_items"]:
            line["sku"] = f"API-{order_id}-{line['sku']}"
            line["product_id"] += order_id
        return order

    def event_in_error(self):
        backend_id = self.xmlid("billing_webshop.backend_woocommerce_demo")
        summary = self.odoo("billing.webshop.backend", "import_order", [backend_id], self.unknown_order())
        assert summary["state"] == "error", summary
        return summary["event_id"]

    def event_missing(self, kind, ref):
        """An event in error that lacks a ``kind`` (product, gateway, tax) called ``ref``."""
        event_id = self.event_in_error()
        self.odoo("billing.webshop.event", "write", [event_id], {"missing_kind": kind, "missing_ref": ref})
        return event_id

    def webshop_fix(self, model, kind, ref, **values):
        """A fix wizard of ``model`` opened on an event that lacks ``ref``."""
        return self.odoo(model, "create", {"event_id": self.event_missing(kind, ref), **values})

    def bank_journal(self):
        [event] = self.odoo("billing.webshop.event", "read", [self.event_in_error()], ["company_id"])
        return self.odoo(
            "account.journal",
            "search",
            [("company_id", "=", event["company_id"][0]), ("type", "=", "bank")],
            limit=1,
        )[0]

    def sale_tax(self):
        [event] = self.odoo("billing.webshop.event", "read", [self.event_in_error()], ["company_id"])
        return self.odoo(
            "account.tax",
            "search_read",
            [
                ("company_id", "=", event["company_id"][0]),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
            ],
            fields=["amount"],
            limit=1,
        )[0]

    # SEPA (the demo creditor company, in EUR) ---------------------------------------------------

    def mandate(self, activate=True):
        partner_id = self.odoo(
            "res.partner", "create", {"name": self.unique("API debtor"), "country_id": self.xmlid("base.nl")}
        )
        self.odoo(
            "res.partner", "write", [partner_id], {"sepa_direct_debit": True}, context=self.sepa_context
        )
        bank_id = self.odoo(
            "res.partner.bank", "create", {"acc_number": "NL91ABNA0417164300", "partner_id": partner_id}
        )
        mandate_id = self.odoo(
            "billing.sepa.mandate",
            "create",
            {
                "partner_id": partner_id,
                "partner_bank_id": bank_id,
                "company_id": self.sepa_company_id,
                "signature_date": datetime.date.today().isoformat(),
            },
            context=self.sepa_context,
        )
        if activate:
            self.odoo("billing.sepa.mandate", "action_activate", [mandate_id], context=self.sepa_context)
        return partner_id, mandate_id

    def collection_date(self):
        return (datetime.date.today() + datetime.timedelta(days=30)).isoformat()

    def sepa_invoice(self):
        partner_id, _mandate_id = self.mandate()
        invoice_id = self.odoo(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "currency_id": self.xmlid("base.EUR"),
                "invoice_line_ids": [
                    (0, 0, {"name": "Internet", "price_unit": 30.0, "tax_ids": [(6, 0, [])]})
                ],
            },
            context=self.sepa_context,
        )
        self.odoo("account.move", "action_post", [invoice_id], context=self.sepa_context)
        return invoice_id

    def batch(self, until):
        """A new collection with an invoice of its own, taken through the steps before ``until``."""
        self.sepa_invoice()
        batch_id = self.odoo(
            "billing.sepa.batch",
            "create_collection",
            self.collection_date(),
            self.sepa_company_id,
            context=self.sepa_context,
        )
        assert batch_id
        for step in ("action_generate_file", "action_mark_sent", "action_mark_collected"):
            if step == until:
                break
            self.odoo("billing.sepa.batch", step, [batch_id], context=self.sepa_context)
        return batch_id

    def sepa_bank_report(self, returned=True, code="FOCR"):
        """A camt.054 returning a debit of a new collected batch (or an unknown debit), base64."""
        batch_id = self.batch(until=None)
        [line] = self.odoo(
            "billing.sepa.batch.line",
            "search_read",
            [("batch_id", "=", batch_id)],
            fields=["end_to_end_id", "amount"],
            limit=1,
            context=self.sepa_context,
        )
        [batch] = self.odoo(
            "billing.sepa.batch", "read", [batch_id], ["journal_id"], context=self.sepa_context
        )
        [journal] = self.odoo(
            "account.journal",
            "read",
            [batch["journal_id"][0]],
            ["bank_acc_number"],
            context=self.sepa_context,
        )
        end_to_end_id = line["end_to_end_id"] if returned else self.unique("UNKNOWN").replace(" ", "-")
        data = _camt054(
            journal["bank_acc_number"].replace(" ", ""),
            end_to_end_id,
            line["amount"],
            code,
            self.unique("API"),
        )
        return base64.b64encode(data).decode(), line["id"]

    def sepa_return_import(self, returned=True, code="FOCR"):
        """An import of a bank report; with ``returned`` False its one return waits for review."""
        data, line_id = self.sepa_bank_report(returned, code)
        result = self.odoo(
            "billing.sepa.return.import",
            "import_file",
            data,
            "api.xml",
            self.sepa_company_id,
            context=self.sepa_context,
        )
        return_ids = self.odoo(
            "billing.sepa.return", "search", [("import_id", "=", result["id"])], context=self.sepa_context
        )
        return result["id"], return_ids, line_id

    def sepa_charged_return(self):
        """A return for lack of funds (AM04), which charges the demo company's return fee."""
        return self.sepa_return_import(code="AM04")[1]

    def sepa_suspended_mandate(self):
        """The mandate of a debit returned because the account is blocked (AC06): suspended."""
        return_ids = self.sepa_return_import(code="AC06")[1]
        [ret] = self.odoo(
            "billing.sepa.return", "read", return_ids, ["mandate_id"], context=self.sepa_context
        )
        return ret["mandate_id"][0]

    def sepa_return_to_match(self):
        _import_id, return_ids, line_id = self.sepa_return_import(returned=False)
        self.odoo(
            "billing.sepa.return", "write", return_ids, {"batch_line_id": line_id}, context=self.sepa_context
        )
        return return_ids

    def sepa_reference_payment(self, invoice=False):
        """A payment by reference waiting for review (unknown reference); with ``invoice`` the
        user has chosen an invoice of 30.00 for its 1.00."""
        [journal] = self.odoo(
            "account.journal",
            "search_read",
            [
                ("company_id", "=", self.sepa_company_id),
                ("type", "=", "bank"),
                ("bank_account_id", "!=", False),
            ],
            fields=["bank_acc_number"],
            limit=1,
            context=self.sepa_context,
        )
        unique = uuid.uuid4().hex[:12]
        data = _camt054_credit(journal["bank_acc_number"].replace(" ", ""), "RF4712345", 1.0, unique, unique)
        result = self.odoo(
            "billing.sepa.return.import",
            "import_file",
            base64.b64encode(data).decode(),
            "api.xml",
            self.sepa_company_id,
            context=self.sepa_context,
        )
        payment_ids = self.odoo(
            "billing.sepa.reference.payment",
            "search",
            [("import_id", "=", result["id"])],
            context=self.sepa_context,
        )
        if invoice:
            self.odoo(
                "billing.sepa.reference.payment",
                "write",
                payment_ids,
                {"invoice_id": self.sepa_invoice()},
                context=self.sepa_context,
            )
        return result["id"], payment_ids

    def sepa_credit(self):
        """A customer of the SEPA demo company with a credit of 12.50 to be paid back, and an IBAN."""
        partner_id, _mandate_id = self.mandate()
        self.odoo(
            "res.partner", "write", [partner_id], {"sepa_credit_policy": "refund"}, context=self.sepa_context
        )
        note_id = self.odoo(
            "account.move",
            "create",
            {
                "move_type": "out_refund",
                "partner_id": partner_id,
                "currency_id": self.xmlid("base.EUR"),
                "invoice_line_ids": [(0, 0, {"name": "Credit", "price_unit": 12.5, "tax_ids": [(6, 0, [])]})],
            },
            context=self.sepa_context,
        )
        self.odoo("account.move", "action_post", [note_id], context=self.sepa_context)
        return partner_id

    def execution_date(self):
        return (datetime.date.today() + datetime.timedelta(days=7)).isoformat()

    def credit_transfer(self, until):
        """A new refund batch with a credit of its own, taken through the steps before ``until``."""
        self.sepa_credit()
        transfer_id = self.odoo(
            "billing.sepa.credit.transfer",
            "create_credit_transfer",
            self.execution_date(),
            self.sepa_company_id,
            context=self.sepa_context,
        )
        assert transfer_id
        for step in ("action_generate_file", "action_mark_sent", "action_mark_paid"):
            if step == until:
                break
            self.odoo("billing.sepa.credit.transfer", step, [transfer_id], context=self.sepa_context)
        return transfer_id

    # dunning (company 1 and its demo policy) ----------------------------------------------------

    def dunning_run(self, date="2025-05-20"):
        """A done run of ``date`` that reminded two customers of their own by letter (they have
        no e-mail address), at the last level, with a fee each; the run's id."""
        return self.dunning(date)["run_id"]

    def dunning(self, date):
        def make():
            customer_ids = [self.customer() for _ in range(2)]
            for customer_id in customer_ids:
                self.posted_invoice(
                    customer_id,
                    invoice_date="2025-01-01",
                    invoice_date_due="2025-01-01",
                    invoice_payment_term_id=False,
                )
            run_id = self.odoo("billing.dunning.run", "create", {"date": date, "company_id": self.company_id})
            self.odoo("billing.dunning.run", "action_run", [run_id])
            charge_ids = self.odoo(
                "billing.dunning.charge",
                "search",
                [("move_id.partner_id", "in", customer_ids), ("state", "=", "posted")],
            )
            assert len(charge_ids) == 2, "the run charged no fee"
            reminder_ids = self.odoo(
                "billing.dunning.reminder",
                "search",
                [("run_id", "=", run_id), ("partner_id", "in", customer_ids), ("state", "=", "to_print")],
            )
            assert len(reminder_ids) == 2, "the run printed no letter"
            return {"run_id": run_id, "charge_ids": charge_ids, "reminder_ids": reminder_ids}

        return self.once(("dunning", date), make)

    # collection agency (company 1; no agency answers: dossiers stay drafts) --------------------

    def agency(self):
        def make():
            return self.odoo(
                "billing.collection.agency",
                "create",
                {
                    "name": self.unique("API agency"),
                    "company_id": self.company_id,
                    "partner_id": self.odoo(
                        "res.partner", "create", {"name": self.unique("API agency contact")}
                    ),
                    # Nothing listens there: a hand-over fails fast and the dossier stays a draft.
                    "api_url": "http://127.0.0.1:9/v1",
                    "api_key": "api-key",
                    "callback_secret": "api-secret",
                    "timeout": 2.0,
                    "terms_file": base64.b64encode(b"%PDF-1.4 terms").decode(),
                    "terms_filename": "terms.pdf",
                },
            )

        return self.once("agency", make)

    def overdue_invoice(self):
        return self.posted_invoice(
            invoice_date="2025-01-01", invoice_date_due="2025-01-01", invoice_payment_term_id=False
        )

    def collection_start(self):
        self.agency()
        return self.odoo(
            "billing.collection.start",
            "create",
            {"move_ids": [(6, 0, [self.overdue_invoice()])], "agency_id": self.agency()},
        )

    def dossier(self):
        """A draft dossier of a new overdue invoice (the agency did not answer)."""
        action = self.odoo("billing.collection.start", "action_confirm", [self.collection_start()])
        return action["res_id"]

    def uncollectible_dossier(self):
        """A dossier the agency reported uncollectible (set here: no agency answers)."""
        dossier_id = self.dossier()
        self.odoo("billing.collection.dossier", "write", [dossier_id], {"state": "uncollectible"})
        return dossier_id

    # recurring billing (company 1) ----------------------------------------------------------------

    def recurring_run(self):
        """A new billing run dated before any demo contract starts: it has nothing to invoice."""
        return self.odoo(
            "billing.recurring.run", "create", {"date": "2020-01-31", "company_id": self.company_id}
        )

    def recurring_preview(self):
        action = self.odoo("billing.recurring.run", "action_preview", [self.recurring_run()])
        return action["res_id"]

    def usage_rows(self):
        partner_id = self.odoo("res.partner", "create", {"name": self.unique("API usage customer")})
        product_id = self.odoo(
            "product.product", "create", {"name": self.unique("API traffic"), "type": "service"}
        )
        return [
            {
                "partner_id": partner_id,
                "product_id": product_id,
                "quantity": 3,
                "external_id": self.unique("api"),
            }
        ]
