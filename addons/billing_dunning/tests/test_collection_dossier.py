import base64
import json
import time
from datetime import date, timedelta
from urllib.parse import urlparse

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, HttpCase, freeze_time, new_test_user, tagged
from odoo.tests.common import _super_send

from ..collection.agency_client import AgencyClient, AgencyError, retry_after_seconds
from ..collection.signature import sign, verify
from .agency_server import AgencyServer
from .common import DunningCommon

TERMS = base64.b64encode(b"%PDF-1.4 terms and conditions")
API_KEY = "test-api-key"
SECRET = "test-callback-secret"
# Every status an agency reports after the hand-over, in an order it may report them.
AGENCY_TIMELINE = (
    "notice_sent",
    "payment_plan",
    "partially_paid",
    "paid",
    "uncollectible",
    "bankrupt",
    "closed",
)


class CollectionCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls._make_agency(cls.company)

    @classmethod
    def _make_agency(cls, company, **vals):
        return cls.env["billing.collection.agency"].create(
            {
                "name": f"Agency of {company.name}",
                "company_id": company.id,
                "partner_id": cls.env["res.partner"].create({"name": "Collect & Co"}).id,
                "api_url": "http://127.0.0.1:9/v1",
                "api_key": API_KEY,
                "callback_secret": SECRET,
                "commission_rate_b2b": 15.0,
                "commission_rate_b2c": 20.0,
                "terms_file": TERMS,
                "terms_filename": "terms.pdf",
                "timeout": 2.0,
                **vals,
            }
        )

    def _start(self, invoices, reason=None, agency=None):
        """A draft dossier of ``invoices``, made by the confirmation dialog (not submitted)."""
        wizard = self.env["billing.collection.start"].create(
            {"move_ids": [(6, 0, invoices.ids)], "override_reason": reason}
        )
        if agency:
            wizard.agency_id = agency
        return wizard._create_dossier()

    @staticmethod
    def _last_status(dossier):
        return dossier.status_ids.sorted("id")[-1:]

    def _dossier(self, invoice, number, state="submitted"):
        dossier = self._start(invoice)
        dossier.write({"dossier_number": number})
        dossier._add_status(state)
        return dossier


@tagged("post_install", "-at_install")
class TestCollectionDossier(CollectionCommon):
    def test_terms_and_conditions_are_required(self):
        self.agency.terms_file = False
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        with self.assertRaisesRegex(UserError, "terms and conditions"):
            self._start(invoice)
        self.assertFalse(invoice.billing_collection_dossier_ids)

    def test_only_posted_unpaid_overdue_customer_invoices_qualify(self):
        today = fields.Date.context_today(self.env.user)
        draft = self._invoice(self.b2b, 100.0, date(2025, 1, 10), post=False)
        not_due = self._invoice(self.b2b, 100.0, today + timedelta(days=10), invoice_date=today)
        paid = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        self._pay(paid, 100.0, date(2025, 1, 20))
        bill = self.init_invoice("in_invoice", partner=self.b2b, amounts=[100.0], post=True)
        for invoice, message in (
            (draft, "not a posted customer invoice"),
            (bill, "not a posted customer invoice"),
            (paid, "not unpaid"),
            (not_due, "not overdue"),
        ):
            with self.subTest(invoice=invoice.name), self.assertRaisesRegex(UserError, message):
                self._start(invoice)
        overdue = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        dossier = self._start(overdue)
        self.assertEqual(dossier.state, "draft")
        self.assertEqual(dossier.invoice_ids, overdue)
        self.assertEqual(dossier.partner_id, self.b2b)
        self.assertTrue(overdue.billing_collection_live)
        with self.assertRaisesRegex(UserError, "with the collection agency already"):
            self._start(overdue)

    def test_disputed_or_blocked_needs_a_reason(self):
        disputed = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        disputed.billing_dunning_block_reason = "dispute"
        with self.assertRaisesRegex(UserError, "Give a reason"):
            self._start(disputed)
        dossier = self._start(disputed, reason="Dispute settled by phone, customer still does not pay")
        self.assertEqual(dossier.override_reason, "Dispute settled by phone, customer still does not pay")
        self.assertIn("Dispute settled", dossier.status_ids.note)

        blocked_customer = self._make_partner(
            "Blocked GmbH", "b2b_de", billing_dunning_block_reason="insolvency"
        )
        invoice = self._invoice(blocked_customer, 100.0, date(2025, 1, 10))
        wizard = self.env["billing.collection.start"].create({"move_ids": [(6, 0, invoice.ids)]})
        self.assertIn("Insolvency", wizard.blocks)
        with self.assertRaisesRegex(UserError, "Give a reason"):
            wizard._create_dossier()

    def test_scenario_follows_the_dunning_profile(self):
        for partner, scenario in (
            (self.b2b, "b2b"),
            (self.b2c, "b2c"),
            (self._make_partner("Jan Peeters", "b2c_be"), "b2c"),
            (self._make_partner("No Profile BV", is_company=True), "b2b"),
            (self._make_partner("No Profile Person"), "b2c"),
        ):
            invoice = self._invoice(partner, 100.0, date(2025, 1, 10))
            with self.subTest(partner=partner.name):
                self.assertEqual(invoice.billing_collection_scenario, scenario)
                self.assertEqual(
                    invoice.billing_collection_scenario_text,
                    self.agency.scenario_b2b if scenario == "b2b" else self.agency.scenario_b2c,
                )
                self.assertEqual(self._start(invoice).scenario, scenario)
        self.assertIn("EUR 40", self.agency.scenario_b2c)

    def test_handover_amounts_are_the_dunning_engine_amounts(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 6, 20))
        # Not reminded yet: the interest and the EUR 40 the engine would charge on that day.
        self.assertEqual(
            invoice._get_billing_collection_amounts(date(2025, 7, 15)),
            {"principal": 1000.0, "interest": 7.31, "fees": 0.0, "compensation": 40.0},
        )
        self._run(date(2025, 7, 15))
        charges = {charge.kind: charge.amount for charge in self._charges(invoice)}
        self.assertEqual(charges, {"fee": 5.0, "interest": 7.31, "compensation": 40.0})
        self.assertEqual(
            invoice._get_billing_collection_amounts(date(2025, 7, 15)),
            {"principal": 1000.0, "interest": 7.31, "fees": 5.0, "compensation": 40.0},
        )
        # Ten days later: the engine's next interest charge (16-25 July, 2.81) on top.
        self.assertEqual(
            invoice._get_billing_collection_amounts(date(2025, 7, 25))["interest"], round(7.31 + 2.81, 2)
        )
        # A waived fee is not handed over.
        self._charges(invoice).filtered(lambda charge: charge.kind == "fee").action_waive("Goodwill")
        self.assertEqual(invoice._get_billing_collection_amounts(date(2025, 7, 15))["fees"], 0.0)
        with freeze_time("2025-07-15"):
            dossier = self._start(invoice)
        self.assertEqual(
            (
                dossier.amount_principal,
                dossier.amount_interest,
                dossier.amount_fees,
                dossier.amount_compensation,
            ),
            (1000.0, 7.31, 0.0, 40.0),
        )
        self.assertEqual(dossier.amount_total, 1047.31)
        self.assertEqual(dossier.handover_date, date(2025, 7, 15))

    def test_consumer_handover_has_no_compensation(self):
        invoice = self._invoice(self.b2c, 1000.0, date(2025, 6, 20))
        self.assertEqual(
            invoice._get_billing_collection_amounts(date(2025, 7, 15)),
            {"principal": 1000.0, "interest": 4.57, "fees": 0.0, "compensation": 0.0},
        )

    def test_the_ladder_stops_while_the_dossier_is_live(self):
        handed_over = self._invoice(self.b2b, 1000.0, date(2025, 6, 20))
        other = self._invoice(self.b2b, 500.0, date(2025, 6, 20))
        with freeze_time("2025-07-10"):
            dossier = self._start(handed_over)
        self._run(date(2025, 7, 15))
        self.assertFalse(handed_over.billing_dunning_line_ids, "no reminder for a handed-over invoice")
        self.assertFalse(self._charges(handed_over), "no charge for a handed-over invoice")
        self.assertTrue(other.billing_dunning_line_ids, "the customer's other invoices are reminded")
        for state in ("submitted", "payment_plan", "uncollectible"):
            dossier._add_status(state)
            self._run(date(2025, 7, 16) + timedelta(days=len(dossier.status_ids)))
            self.assertFalse(handed_over.billing_dunning_line_ids, state)
        dossier.action_withdraw()
        self.assertEqual(dossier.state, "withdrawn")
        self.assertFalse(handed_over.billing_collection_live)
        self._run(date(2025, 7, 25))
        self.assertTrue(handed_over.billing_dunning_line_ids, "withdrawn: the ladder resumes")

    def test_invoicing_user_cannot_read_credentials(self):
        user = new_test_user(
            self.env, login="collector", groups="account.group_account_invoice", company_id=self.company.id
        )
        agency = self.agency.with_user(user)
        self.assertEqual(agency.name, self.agency.name)
        for field_name in ("api_key", "callback_secret"):
            with self.subTest(field=field_name), self.assertRaises(AccessError):
                agency.read([field_name])
        with self.assertRaises(AccessError):
            agency.write({"api_url": "https://evil.example"})
        manager = new_test_user(
            self.env,
            login="collection_manager",
            groups="account.group_account_manager",
            company_id=self.company.id,
        )
        self.assertEqual(self.agency.with_user(manager).api_key, API_KEY)
        # The user still starts a dossier: the client reads the credentials as superuser.
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        wizard = (
            self.env["billing.collection.start"].with_user(user).create({"move_ids": [(6, 0, invoice.ids)]})
        )
        dossier = wizard.with_user(user)._create_dossier()
        self.assertEqual(dossier.agency_id, self.agency)
        client = dossier.agency_id.with_user(user)._get_client()
        self.assertEqual(client.api_key, API_KEY)
        self.assertFalse(
            self.env["mail.message"].search_count(
                [("model", "=", "billing.collection.agency"), ("body", "ilike", API_KEY)]
            ),
            "the API key is in no chatter message",
        )
        self.assertFalse(
            self.env["mail.tracking.value"].search_count(
                [("field_id.name", "in", ("api_key", "callback_secret"))]
            ),
            "the credentials are not tracked",
        )

    def test_multi_company(self):
        company_2 = self.setup_other_company(name="Collection Co 2")["company"]
        agency_2 = self._make_agency(company_2)
        user = new_test_user(
            self.env,
            login="collector_1",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        Agency = self.env["billing.collection.agency"].with_user(user)
        self.assertEqual(Agency.search([("id", "in", (self.agency | agency_2).ids)]), self.agency)
        invoice_2 = self._invoice(
            self.b2b, 100.0, date(2025, 1, 10), company=company_2, currency=company_2.currency_id
        )
        dossier_2 = self._start(invoice_2)
        self.assertEqual(dossier_2.agency_id, agency_2, "the agency of the invoice's company")
        self.assertEqual(dossier_2.company_id, company_2)
        self.assertFalse(
            self.env["billing.collection.dossier"].with_user(user).search([("id", "=", dossier_2.id)])
        )
        # The agency of another company is refused.
        invoice_1 = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        with self.assertRaises(UserError):
            self._start(invoice_1, agency=agency_2)
        # A callback to agency 2 cannot move a dossier of agency 1.
        dossier_1 = self._dossier(invoice_1, "AG-1")
        status, _message = agency_2._process_callback(
            json.dumps({"event_id": "e1", "dossier_number": "AG-1", "status": "paid"}).encode()
        )
        self.assertEqual(status, 202)
        self.assertEqual(dossier_1.state, "submitted")

    def test_customer_and_invoice_smart_buttons(self):
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        dossier = self._start(invoice)
        contact = self.env["res.partner"].create({"name": "Accounts payable", "parent_id": self.b2b.id})
        self.assertEqual(contact.billing_collection_dossier_count, 1)
        for action in (
            invoice.action_view_billing_collection_dossiers(),
            contact.action_view_billing_collection_dossiers(),
        ):
            self.assertEqual(self.env["billing.collection.dossier"].search(action["domain"]), dossier)
        self.assertEqual(invoice.billing_collection_dossier_count, 1)
        self.assertEqual(self.env["account.move"].search(dossier.action_view_invoices()["domain"]), invoice)
        self.assertEqual(self.agency.action_view_dossiers()["domain"], [("agency_id", "=", self.agency.id)])
        self.assertEqual(invoice.action_billing_collection_start()["res_model"], "billing.collection.start")


class ReferenceAgencyMixin:
    """The reference agency on a free 127.0.0.1 port, as the test agency's API."""

    def setUp(self):
        super().setUp()
        self.server = AgencyServer(API_KEY).start()
        self.addCleanup(self.server.stop)
        self.agency.api_url = self.server.url

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # The reference agency on 127.0.0.1 gets the client's own timeout (the test runner
        # raises timeouts below 10 s, which the slow-agency test needs).
        if urlparse(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


@tagged("post_install", "-at_install")
class TestCollectionAgencyApi(ReferenceAgencyMixin, CollectionCommon):
    """Submitting and polling against the reference agency on a free 127.0.0.1 port."""

    def _submitted(self, partner=None):
        invoice = self._invoice(partner or self.b2b, 100.0, date(2025, 1, 10))
        dossier = self._start(invoice)
        self.assertIs(dossier.action_submit(), True)
        return dossier

    def test_submit_sends_the_dossier_with_the_pdf_and_the_terms(self):
        dossier = self._submitted()
        self.assertEqual(dossier.state, "submitted")
        self.assertTrue(dossier.dossier_number.startswith("AG-"))
        self.assertFalse(dossier.last_error)
        [(method, path, headers, payload)] = self.server.requests
        self.assertEqual((method, path), ("POST", "/v1/dossiers"))
        self.assertEqual(headers["Idempotency-Key"], dossier.idempotency_key)
        self.assertEqual(headers["Authorization"], f"Bearer {API_KEY}")
        self.assertEqual(payload["reference"], dossier.name)
        self.assertEqual(payload["scenario"], "b2b")
        self.assertEqual(payload["amounts"]["principal"], 100.0)
        self.assertEqual(payload["amounts"]["total"], dossier.amount_total)
        self.assertEqual(base64.b64decode(payload["terms"]["content_base64"]), base64.b64decode(TERMS))
        self.assertTrue(base64.b64decode(payload["invoices"][0]["pdf_base64"]))
        self.assertEqual(payload["callback_url"], self.agency.callback_url)
        self.assertEqual(dossier.status_ids.sorted("id").mapped("state"), ["draft", "submitted"])

    def test_every_status_from_polling(self):
        dossier = self._submitted()
        for state in AGENCY_TIMELINE:
            self.server.set_status(dossier.dossier_number, state, note=f"now {state}")
            self.assertIs(dossier.action_refresh_status(), True)
            self.assertEqual(dossier.state, state)
            self.assertEqual(self._last_status(dossier).source, "poll")
        # Polling again applies nothing twice.
        count = len(dossier.status_ids)
        dossier.action_refresh_status()
        self.assertEqual(len(dossier.status_ids), count)

    def test_scheduled_sync_is_opt_in(self):
        dossier = self._submitted()
        self.server.set_status(dossier.dossier_number, "notice_sent")
        dossier.last_sync = False
        Dossier = self.env["billing.collection.dossier"]
        Dossier._cron_sync_collection_dossiers()
        self.assertEqual(dossier.state, "submitted", "the sync is off")
        self.company.billing_collection_auto_sync = True
        Dossier._cron_sync_collection_dossiers()
        self.assertEqual(dossier.state, "notice_sent")
        self.assertTrue(dossier.last_sync)
        self.assertFalse([request for request in self.server.requests if request[0] == "POST"][1:])

    def test_withdraw(self):
        dossier = self._submitted()
        self.assertIs(dossier.action_withdraw(), True)
        self.assertEqual(dossier.state, "withdrawn")
        self.assertEqual(self.server.dossiers[dossier.dossier_number]["status"], "withdrawn")

    def test_agency_down_leaves_the_dossier_retryable(self):
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        dossier = self._start(invoice)
        for failure in ([(500, {})] * 3, [(503, {}), (502, {}), (500, {})]):
            self.server.fail_next = list(failure)
            result = dossier.action_submit()
            self.assertEqual(result["tag"], "display_notification")
            self.assertEqual(dossier.state, "draft")
            self.assertIn("500", dossier.last_error)
            self.assertTrue(invoice.billing_collection_live, "the ladder stays stopped")
        # 429 with Retry-After, then the agency takes it: one call, the same idempotency key.
        self.server.fail_next = [(429, {"Retry-After": "1"})]
        started = time.monotonic()
        self.assertIs(dossier.action_submit(), True)
        self.assertGreaterEqual(time.monotonic() - started, 1.0, "Retry-After is honoured")
        self.assertEqual(dossier.state, "submitted")
        self.assertFalse(dossier.last_error)
        keys = {headers["Idempotency-Key"] for _method, _path, headers, _payload in self.server.requests}
        self.assertEqual(keys, {dossier.idempotency_key})

    def test_agency_slow_leaves_the_dossier_retryable(self):
        self.agency.timeout = 0.3
        self.server.delay = 1.0
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        dossier = self._start(invoice)
        dossier.action_submit()
        self.assertEqual(dossier.state, "draft")
        self.assertIn("in time", dossier.last_error)
        self.server.delay = 0.0
        dossier.action_submit()
        self.assertEqual(dossier.state, "submitted")
        self.assertEqual(len(self.server.dossiers), 1, "the idempotency key made one dossier of the retries")

    def test_unreachable_agency_and_failed_poll(self):
        dossier = self._submitted()
        self.server.fail_next = [(500, {})] * 3
        result = dossier.action_refresh_status()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(dossier.state, "submitted")
        self.assertTrue(dossier.last_error)
        self.server.fail_next = [(500, {})] * 3
        with self.assertRaisesRegex(UserError, "did not take the withdrawal"):
            dossier.action_withdraw()

    def test_wizard_confirm_submits(self):
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        wizard = self.env["billing.collection.start"].create({"move_ids": [(6, 0, invoice.ids)]})
        self.assertEqual(wizard.agency_id, self.agency)
        self.assertFalse(wizard.problems)
        action = wizard.action_confirm()
        dossier = self.env["billing.collection.dossier"].browse(action["res_id"])
        self.assertEqual(dossier.state, "submitted")
        self.assertIn(dossier.name, invoice.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestCollectionCallback(CollectionCommon, HttpCase):
    def setUp(self):
        super().setUp()
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        self.dossier = self._dossier(invoice, "AG-77")
        self.path = f"/billing_dunning/collection/callback/{self.agency.id}"

    def _post(self, body, timestamp=None, secret=SECRET, signature=None, path=None):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": "application/json",
            "X-Agency-Timestamp": str(timestamp),
            "X-Agency-Signature": signature or sign(secret, timestamp, body),
        }
        response = self.url_open(path or self.path, data=body, headers=headers)
        self.env.invalidate_all()
        return response

    def _event(self, status, event_id=None):
        return {
            "event_id": event_id or f"ev-{status}",
            "dossier_number": "AG-77",
            "status": status,
            "date": "2025-02-01T10:00:00",
            "note": f"agency says {status}",
        }

    def _snapshot(self):
        return (
            self.dossier.state,
            len(self.dossier.status_ids),
            self.env["billing.collection.callback"].search_count([]),
        )

    def test_every_status_from_callbacks(self):
        for state in AGENCY_TIMELINE:
            response = self._post(self._event(state))
            self.assertEqual(response.status_code, 200, state)
            self.assertEqual(response.json()["status"], "applied")
            self.assertEqual(self.dossier.state, state)
            last = self._last_status(self.dossier)
            self.assertEqual(
                (last.source, last.note, last.event_id), ("callback", f"agency says {state}", f"ev-{state}")
            )

    def test_forged_replayed_and_stale_callbacks_change_nothing(self):
        before = self._snapshot()
        body = json.dumps(self._event("paid")).encode()
        now = int(time.time())
        for label, response in (
            ("wrong secret", self._post(body, secret="guessed")),
            ("no signature", self.url_open(self.path, data=body, headers={"X-Agency-Timestamp": str(now)})),
            (
                "tampered body",
                self._post(
                    body.replace(b"paid", b"closed"), signature=sign(SECRET, now, body), timestamp=now
                ),
            ),
            ("stale", self._post(body, timestamp=now - 301)),
            ("from the future", self._post(body, timestamp=now + 360)),
            (
                "new timestamp on an old signature",
                self._post(body, timestamp=now, signature=sign(SECRET, now - 400, body)),
            ),
            ("unknown agency", self._post(body, path="/billing_dunning/collection/callback/999999")),
        ):
            with self.subTest(label):
                self.assertEqual(response.status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), before)
        # The same authentic event twice: applied once.
        self.assertEqual(self._post(body).json()["status"], "applied")
        after = self._snapshot()
        response = self._post(body)
        self.assertEqual((response.status_code, response.json()["status"]), (200, "duplicate"))
        self.assertEqual(self._snapshot(), after)

    def test_reference_agency_pushes_to_the_callback_url(self):
        server = AgencyServer(API_KEY).start()
        self.addCleanup(server.stop)
        self.agency.api_url = server.url
        invoice = self._invoice(self.b2c, 100.0, date(2025, 1, 10))
        dossier = self._start(invoice)
        self.assertIs(dossier.action_submit(), True)
        self.env.flush_all()  # the push does not go through url_open, which flushes
        self.assertEqual(server.push(dossier.dossier_number, "payment_plan", SECRET, note="6 x 20"), 200)
        self.env.invalidate_all()
        self.assertEqual(dossier.state, "payment_plan")
        self.assertEqual(self._last_status(dossier).source, "callback")

    def test_no_secret_refuses_everything(self):
        self.agency.callback_secret = False
        response = self._post(self._event("paid"), secret="")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.dossier.state, "submitted")

    def test_authentic_but_unprocessable_bodies_are_stored(self):
        for body, reason in (
            (b"not json at all \xff", "not JSON"),
            (json.dumps(["a", "list"]).encode(), "not a JSON object"),
            (json.dumps(self._event("paid") | {"dossier_number": "AG-404"}).encode(), "No dossier AG-404"),
            (json.dumps(self._event("teleported")).encode(), "Unknown dossier status"),
            (json.dumps(self._event("paid") | {"event_id": ""}).encode(), "no event_id"),
        ):
            with self.subTest(reason):
                response = self._post(body)
                self.assertEqual((response.status_code, response.json()["status"]), (202, "stored"))
                stored = self.env["billing.collection.callback"].search([], limit=1)
                self.assertIn(reason, stored.reason)
                self.assertEqual(base64.b64decode(stored.raw_body), body)
        self.assertEqual(self.dossier.state, "submitted")
        # A withdrawn dossier takes no more status.
        self.dossier._add_status("withdrawn")
        response = self._post(self._event("paid"))
        self.assertEqual(response.status_code, 202)
        self.assertEqual(self.dossier.state, "withdrawn")


class TestAgencyClient(BaseCase):
    """The plain-Python client and signature against the reference agency."""

    def setUp(self):
        super().setUp()
        self.server = AgencyServer(API_KEY).start()
        self.addCleanup(self.server.stop)
        self.waits = []
        self.client = AgencyClient(self.server.url, API_KEY, timeout=2, sleep=self.waits.append)

    def test_idempotent_create(self):
        first = self.client.create_dossier({"reference": "R1"}, "key-1")
        again = self.client.create_dossier({"reference": "R1"}, "key-1")
        other = self.client.create_dossier({"reference": "R2"}, "key-2")
        self.assertEqual(first["dossier_number"], again["dossier_number"])
        self.assertNotEqual(first["dossier_number"], other["dossier_number"])

    def test_retries_with_backoff_and_retry_after(self):
        self.server.fail_next = [(503, {}), (429, {"Retry-After": "7"})]
        self.assertTrue(self.client.create_dossier({"reference": "R"}, "k")["dossier_number"])
        self.assertEqual(self.waits, [0.5, 7])
        self.server.fail_next = [(429, {"Retry-After": "3600"})]
        self.client.create_dossier({"reference": "R"}, "k2")
        self.assertEqual(self.waits[-1], 30, "Retry-After is capped")

    def test_errors(self):
        self.server.fail_next = [(500, {})] * 3
        with self.assertRaises(AgencyError) as caught:
            self.client.get_status("AG-1001")
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(len(self.waits), 2, "three attempts")
        with self.assertRaises(AgencyError) as caught:
            AgencyClient(self.server.url, "wrong", sleep=self.waits.append).get_status("AG-1001")
        self.assertEqual((caught.exception.status, caught.exception.retryable), (401, False))
        with self.assertRaises(AgencyError) as caught:
            AgencyClient("http://127.0.0.1:9/v1", API_KEY, timeout=1, sleep=self.waits.append).get_status("x")
        self.assertTrue(caught.exception.retryable)

    def test_retry_after_forms(self):
        self.assertEqual(retry_after_seconds("12"), 12)
        self.assertEqual(retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480), 10)
        self.assertIsNone(retry_after_seconds("soon"))

    def test_signature(self):
        body = b'{"status": "paid"}'
        signature = sign("s3cret", 1000, body)
        self.assertTrue(verify("s3cret", "1000", body, signature, now=1100))
        self.assertFalse(verify("s3cret", "1000", body, signature, now=1301))
        self.assertFalse(verify("s3cret", "1000", body + b" ", signature, now=1100))
        self.assertFalse(verify("", "1000", body, signature, now=1100))
        self.assertFalse(verify("s3cret", "abc", body, signature, now=1100))
