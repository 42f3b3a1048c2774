import threading
from contextlib import contextmanager
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged

# The queued invoices of this test fall due in 2001: demo invoices queued for today are not due
# then, so the two workers only ever see this test's invoices.
DUE_AT = "2001-01-01 00:00:00"
NOW = "2001-01-01 00:10:00"


@tagged("post_install", "-at_install")
class TestEinvoiceAutoSendTwoWorkers(BaseCase):
    """Two scheduled-action workers, each in its own transaction (two cursors of the registry).

    The other auto-send tests run in the one cursor of a TransactionCase, where no lock can
    conflict; here the invoices are committed, so each worker's ``FOR UPDATE SKIP LOCKED`` meets
    the rows the other holds. The hand-over to Odoo's sending pipeline (``_einvoice_send_now``)
    only records which worker sent what: everything before it is the real queue.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    @contextmanager
    def transaction(self):
        """A real transaction of its own, committed at the end of the block."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        with self.transaction() as env:
            company = env.ref("base.main_company")
            journal = env["account.journal"].search(
                [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
            )
            if not journal:
                self.skipTest("the main company has no sales journal (no chart of accounts)")
            switched_on = company.einvoice_auto_send
            company.einvoice_auto_send = True
            partner = env["res.partner"].create({"name": "Two workers", "email": "two.workers@example.com"})
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "journal_id": journal.id,
                        "invoice_date": "2000-12-31",
                        "invoice_line_ids": [
                            Command.create({"name": "Line", "quantity": 1, "price_unit": 10.0})
                        ],
                    }
                    for _index in range(6)
                ]
            )
            moves.action_post()
            moves.write({"einvoice_send_after": DUE_AT})
            self.invoice_ids = moves.ids
            cron_id = env.ref("billing_einvoice.ir_cron_einvoice_auto_send").id
            last_trigger = env["ir.cron.trigger"].search([], order="id desc", limit=1).id
        self.addCleanup(self.remove, company.id, switched_on, partner.id, cron_id, last_trigger)

    def remove(self, company_id, switched_on, partner_id, cron_id, last_trigger):
        with self.transaction() as env:
            env["res.company"].browse(company_id).einvoice_auto_send = switched_on
            moves = env["account.move"].browse(self.invoice_ids)
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(partner_id).unlink()
            env["ir.cron.trigger"].search([("cron_id", "=", cron_id), ("id", ">", last_trigger)]).unlink()

    def new_worker(self):
        """The environment of a worker: a cursor of its own, opened here because a thread
        cannot load the registry while the test runner holds the registries' lock."""
        return api.Environment(self.registry.cursor(), SUPERUSER_ID, {})

    def run_worker(self, name, env, batch_size=3):
        self.worker.name = name
        try:
            with env.cr:  # committed and closed at the end, as a cron worker's transaction
                env["account.move"]._cron_einvoice_auto_send(batch_size=batch_size)
        except Exception as error:  # a thread's error would be lost: the test reports it
            self.errors.append(f"{name}: {error!r}")

    def test_two_workers_never_send_one_invoice_twice(self):
        self.worker, self.errors = threading.local(), []
        sent = []  # (worker, invoice ids) per hand-over to Odoo's sending pipeline
        first_has_claimed, second_is_done = threading.Event(), threading.Event()

        def record_sending(moves, company):
            sent.append((self.worker.name, moves.ids))
            if self.worker.name == "first":
                # The first worker holds its rows (uncommitted) while the second one runs.
                first_has_claimed.set()
                if not second_is_done.wait(timeout=60):
                    self.errors.append("the second worker waited for the first")

        def second_worker():
            if not first_has_claimed.wait(timeout=60):
                self.errors.append("the first worker never reached the sending")
            self.run_worker("second", second_env)
            second_is_done.set()

        AccountMove = self.registry["account.move"]
        with freeze_time(NOW), patch.object(AccountMove, "_einvoice_send_now", record_sending):
            first_env, second_env = self.new_worker(), self.new_worker()
            first = threading.Thread(target=self.run_worker, args=("first", first_env))
            second = threading.Thread(target=second_worker)
            first.start()
            second.start()
            first.join(timeout=120)
            second.join(timeout=120)
            self.assertFalse(first.is_alive() or second.is_alive(), "a worker hangs on a lock")
            self.assertEqual(self.errors, [])
            # The first worker locked four rows (its batch and one to see that more are due)
            # and sent three; the second passed over all four and sent the two after them.
            by_worker = dict(sent)
            self.assertEqual(by_worker["first"], self.invoice_ids[:3])
            self.assertEqual(by_worker["second"], self.invoice_ids[4:])
            # The row the first worker only looked at is sent by the next run, once.
            self.run_worker("third", self.new_worker())
            self.assertEqual(self.errors, [])

        self.assertEqual([worker for worker, _ids in sent], ["first", "second", "third"])
        self.assertEqual(dict(sent)["third"], self.invoice_ids[3:4])
        sent_ids = [move_id for _worker, ids in sent for move_id in ids]
        self.assertEqual(sorted(sent_ids), self.invoice_ids, "every invoice sent, none twice")
        with self.transaction() as env:
            moves = env["account.move"].browse(self.invoice_ids)
            self.assertFalse(any(moves.mapped("einvoice_send_after")), "nothing left in the queue")
