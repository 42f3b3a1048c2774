import uuid
from contextlib import closing

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestReturnBookingTwoWorkers(BaseCase):
    """The chunks of the two returns actions, taken by two workers in transactions of their own.

    The other returns tests run in the one cursor of a TransactionCase, where no lock can
    conflict; here the returns are committed, so that each worker's ``FOR NO KEY UPDATE SKIP
    LOCKED`` meets the rows the other one holds (two cursors of the registry, as two cron workers).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"mail_create_nolog": True, "tracking_disable": True})
            company = env.ref("base.main_company")
            record = env["billing.sepa.return.import"].create(
                {
                    "name": "two-workers.xml",
                    "company_id": company.id,
                    "digest": uuid.uuid4().hex,
                    "state": "booking",
                }
            )
            returns = env["billing.sepa.return"].create(
                [
                    {
                        "import_id": record.id,
                        "company_id": company.id,
                        "key": f"{record.digest}/{index}",
                        "kind": "return",
                        "state": "booked",
                    }
                    for index in range(5)
                ]
            )
            self.import_id, self.return_ids = record.id, returns.ids
        self.addCleanup(self.remove)

    def remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["billing.sepa.return.import"].browse(self.import_id).unlink()

    def new_worker(self):
        """A worker's transaction; a lock it cannot skip fails after 5 s instead of hanging."""
        cr = self.registry.cursor()
        cr.execute("SET LOCAL lock_timeout = '5s'")
        return api.Environment(cr, SUPERUSER_ID, {})

    def take_chunk(self, env, size=2):
        record = env["billing.sepa.return.import"].browse(self.import_id)
        return env["billing.sepa.return"]._lock_next(record._get_returns_to_follow_up_domain(), size).ids

    def test_two_workers_never_take_one_chunk(self):
        first, second, third = self.new_worker(), self.new_worker(), self.new_worker()
        with closing(first.cr), closing(second.cr), closing(third.cr):
            # Each worker takes the next chunk nobody holds, without waiting for the other.
            self.assertEqual(self.take_chunk(first), self.return_ids[:2])
            self.assertEqual(self.take_chunk(second), self.return_ids[2:4])
            self.assertEqual(self.take_chunk(third), self.return_ids[4:])
            # The first worker's transaction fails: its chunk is free again, for the next run.
            first.cr.rollback()
            fourth = self.new_worker()
            with closing(fourth.cr):
                self.assertEqual(self.take_chunk(fourth, size=5), self.return_ids[:2])
                # Once followed up and committed, a chunk is not taken again.
                fourth["billing.sepa.return"].browse(self.return_ids[:2]).write({"followed_up": True})
                fourth.cr.commit()
            second.cr.rollback()
            third.cr.rollback()
            last = self.new_worker()
            with closing(last.cr):
                self.assertEqual(self.take_chunk(last, size=5), self.return_ids[2:])
