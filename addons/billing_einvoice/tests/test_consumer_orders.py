import base64
from unittest import mock

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..finvoice import reader
from .common import DATA_DIR


@tagged("post_install", "-at_install")
class TestConsumerOrders(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Order = cls.env["billing.einvoice.consumer.order"]
        cls.subject = cls.env["billing.einvoice.billing.subject"].create(
            {
                "name": "Sähkö",
                "code": "ELECTRICITY",
                "sender_info_identifier": "SUBJ-TEST-001",
                "seller_party_identifier": "1234567-1",
                "einvoice_address": "FI4950009420028730",
                "einvoice_intermediator": "OKOYFIHH",
                "company_id": cls.company_data["company"].id,
            }
        )

    def _import(self, name, order_model=None):
        content = base64.b64encode((DATA_DIR / name).read_bytes()).decode()
        ids = (self.Order if order_model is None else order_model).import_file(content, name)
        return self.Order.browse(ids)

    def test_framed_utf8_order_and_termination(self):
        orders = self._import("ri_framed_utf8.xml")
        self.assertEqual(orders.mapped("action"), ["ADD", "DELETE"])
        self.assertEqual(set(orders.mapped("state")), {"to_match"})
        add = orders.filtered(lambda order: order.action == "ADD")
        self.assertEqual(add.buyer_name, "Äijälä Matti")
        self.assertEqual(add.recipient_address, "FI1410093000123458")
        self.assertEqual(add.recipient_intermediator, "NDEAFIHH")
        self.assertEqual(add.seller_invoice_identifier, "CUST-1001")
        self.assertEqual(add.seller_invoice_identifier_type, "09")
        self.assertEqual(add.billing_subject_id, self.subject)
        self.assertEqual(add.message_identifier, "RI-UTF8-0001")
        self.assertTrue(add.frame)
        self.assertIn(b"<FinvoiceReceiverInfo", base64.b64decode(add.payload))

    def test_latin9_and_unframed_files(self):
        latin9 = self._import("ri_framed_latin9.xml")
        self.assertEqual(latin9.buyer_name, "Šmídová Žaneta")
        self.assertEqual(latin9.buyer_street, "Eurokatu 5 €")
        bare = self._import("ri_bare_utf8.xml")
        self.assertEqual((bare.state, bare.buyer_name, bare.frame), ("to_match", "Virtanen Ville", False))
        nodecl = self._import("ri_framed_nodecl.xml")
        self.assertEqual((nodecl.state, nodecl.message_identifier), ("to_match", "RI-NODECL-0001"))

    def test_same_file_twice_changes_nothing(self):
        first = self._import("ri_framed_utf8.xml")
        count = self.Order.search_count([])
        second = self._import("ri_framed_utf8.xml")
        self.assertEqual(first, second)
        self.assertEqual(self.Order.search_count([]), count)

    def test_same_message_identifier_in_other_bytes_is_a_duplicate(self):
        first = self._import("ri_framed_utf8.xml")
        # The same messages re-encoded: other bytes, same identifiers.
        data = (DATA_DIR / "ri_framed_utf8.xml").read_bytes().replace(b"  <eb:CPAId>", b" <eb:CPAId>")
        data = data.replace(b"<MessageTypeText>", b"<MessageTypeText >")
        ids = self.Order.import_file(base64.b64encode(data).decode(), "again.xml")
        self.assertEqual(self.Order.browse(ids), first)

    def test_xxe_is_refused_and_kept(self):
        order = self._import("ri_xxe.xml")
        self.assertEqual(order.state, "error")
        self.assertIn("DOCTYPE", order.error)
        self.assertIn(b"<!ENTITY xxe", base64.b64decode(order.payload))
        self.assertNotIn("root:", order.buyer_name or "")

    def test_truncated_file_keeps_the_good_message(self):
        orders = self._import("ri_truncated.xml")
        self.assertEqual(orders.mapped("state"), ["to_match", "error"])
        broken = orders[1]
        self.assertIn("not well-formed", broken.error)
        self.assertTrue(broken.payload)
        self.assertTrue(
            broken.message_ids.filtered(lambda message: "could not be read" in (message.body or ""))
        )

    def test_wrong_encoding_is_an_error(self):
        order = self._import("ri_wrong_encoding.xml")
        self.assertEqual(order.state, "error")
        self.assertIn("UTF-8", order.error)

    def test_unknown_sender_info_identifier_then_retry(self):
        order = self._import("ri_unknown_identifier.xml")
        self.assertEqual(order.state, "error")
        self.assertIn("NO-SUCH-SUBJECT", order.error)
        self.assertEqual(order.buyer_name, "Laine Leena")
        self.subject.copy({"sender_info_identifier": "NO-SUCH-SUBJECT"})
        self.assertTrue(order.action_retry())
        self.assertEqual((order.state, order.error), ("to_match", False))
        # Importing it again changes nothing.
        self.assertEqual(self._import("ri_unknown_identifier.xml"), order)

    def test_not_base64_and_not_ri(self):
        with self.assertRaisesRegex(UserError, "base64"):
            self.Order.import_file("not base64 !!", "x.xml")
        order = self.Order.browse(
            self.Order.import_file(base64.b64encode(b"<Finvoice Version='3.0'/>").decode(), "f.xml")
        )
        self.assertEqual(order.state, "error")
        self.assertIn("not a ReceiverInfo", order.error)

    def test_size_limit(self):
        content = base64.b64encode((DATA_DIR / "ri_framed_utf8.xml").read_bytes()).decode()
        with (
            mock.patch.object(reader, "MAX_BYTES", 1000),
            self.assertRaisesRegex(UserError, "limit of 1000 bytes"),
        ):
            self.Order.import_file(content, "big.xml")

    def test_upload_wizard(self):
        wizard = self.env["billing.einvoice.consumer.order.import"].create(
            {"file": base64.b64encode((DATA_DIR / "ri_framed_utf8.xml").read_bytes()), "file_name": "ri.xml"}
        )
        action = wizard.action_import()
        self.assertEqual(action["res_model"], "billing.einvoice.consumer.order")
        self.assertEqual(len(self.Order.search(action["domain"])), 2)

    def test_multi_company(self):
        other = self.setup_other_company()["company"]
        other_orders = self.Order.with_company(other)
        # The billing subject belongs to the first company: in the other one the order is unknown.
        order = self._import("ri_framed_latin9.xml", other_orders)
        self.assertEqual((order.company_id, order.state), (other, "error"))
        self.assertIn(other.name, order.error)
        # The first company imports the same file on its own, independently.
        mine = self._import("ri_framed_latin9.xml")
        self.assertEqual((mine.company_id, mine.state), (self.company_data["company"], "to_match"))
        self.assertNotEqual(mine, order)
        user = self.env["res.users"].create(
            {
                "name": "Only first company",
                "login": "ri_first_company",
                "company_id": self.company_data["company"].id,
                "company_ids": [(6, 0, self.company_data["company"].ids)],
                "groups_id": [(6, 0, self.env.ref("account.group_account_invoice").ids)],
            }
        )
        visible = self.Order.with_user(user).search([("digest", "=", mine.digest)])
        self.assertEqual(visible, mine)


@tagged("post_install", "-at_install")
class TestConsumerOrderMatching(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.Order = cls.env["billing.einvoice.consumer.order"]
        cls.env["billing.einvoice.billing.subject"].create(
            {
                "name": "Sähkö",
                "code": "ELECTRICITY",
                "sender_info_identifier": "SUBJ-TEST-001",
                "seller_party_identifier": "1234567-1",
                "einvoice_address": "FI4950009420028730",
                "einvoice_intermediator": "OKOYFIHH",
                "company_id": cls.company.id,
            }
        )
        cls.matti = cls.env["res.partner"].create(
            {"name": "Matti Äijälä", "ref": "CUST-1001", "email": "matti@example.com", "zip": "00100"}
        )
        cls.matti.with_company(cls.company).invoice_sending_method = "email"

    def _import(self, name):
        content = base64.b64encode((DATA_DIR / name).read_bytes()).decode()
        return self.Order.browse(self.Order.import_file(content, name))

    def test_match_by_customer_number_then_delete_falls_back(self):
        orders = self._import("ri_framed_utf8.xml")
        add = orders.filtered(lambda order: order.action == "ADD")
        self.assertEqual(add.state, "to_match")  # matching is opt-in on import
        self.assertTrue(add.action_match())
        self.assertEqual((add.state, add.partner_id), ("done", self.matti))
        partner = self.matti.with_company(self.company)
        self.assertEqual(partner.invoice_sending_method, "elasku")
        self.assertEqual(
            (partner.einvoice_address, partner.einvoice_operator), ("FI1410093000123458", "NDEAFIHH")
        )
        agreement = partner.einvoice_agreement_ids
        self.assertEqual((agreement.state, agreement.previous_sending_method), ("active", "email"))
        self.assertEqual(agreement.identifier, "CUST-1001")
        # The termination in the same file was typed with another customer number: it waits.
        delete = orders - add
        delete.action_match()
        self.assertEqual((delete.state, delete.partner_id.id), ("to_match", False))
        delete.partner_id = self.matti
        self.assertTrue(delete.action_allocate())
        self.assertEqual(delete.state, "done")
        self.assertEqual(agreement.state, "ended")
        self.assertEqual(partner.invoice_sending_method, "email")
        self.assertFalse(partner.einvoice_address)
        self.assertIn("ended the e-invoice agreement", partner.message_ids[0].body)
        self.assertTrue(partner.activity_ids.filtered(lambda activity: "agreement ended" in activity.summary))

    def test_match_by_invoice_reference(self):
        invoice = self.init_invoice("out_invoice", partner=self.partner_a, amounts=[100], post=True)
        order = self._import("ri_framed_latin9.xml")
        order.seller_invoice_identifier = invoice.payment_reference
        order.seller_invoice_identifier_type = "02"
        order.action_match()
        self.assertEqual((order.state, order.partner_id), ("done", self.partner_a))

    def test_candidates_are_shown_never_applied(self):
        order = self._import("ri_bare_utf8.xml")  # Virtanen Ville, CUST-3001: no such customer number
        ville = self.env["res.partner"].create(
            {"name": "Ville Virtanen", "zip": "00100", "street": "Kotikatu 1"}
        )
        self.env["res.partner"].create({"name": "Someone Else", "zip": "99999"})
        order.action_match()
        self.assertEqual((order.state, order.partner_id.id), ("to_match", False))
        self.assertEqual(order.candidate_ids[0].partner_id, ville)
        self.assertGreaterEqual(order.candidate_ids[0].score, 90)
        self.assertFalse(ville.with_company(self.company).einvoice_agreement_ids)
        self.assertTrue(order.candidate_ids[0].action_choose())
        self.assertEqual((order.state, order.partner_id), ("done", ville))
        self.assertEqual(ville.with_company(self.company).invoice_sending_method, "elasku")
        with self.assertRaisesRegex(UserError, "not waiting"):
            order.action_allocate()

    def test_auto_match_is_opt_in(self):
        self.company.einvoice_consumer_order_auto_match = True
        orders = self._import("ri_framed_utf8.xml")
        add = orders.filtered(lambda order: order.action == "ADD")
        self.assertEqual((add.state, add.partner_id), ("done", self.matti))


@tagged("post_install", "-at_install")
class TestConsumerOrderBatches(AccountTestInvoicingCommon):
    """A file of many orders is read, matched and applied in batches: its queries do not grow with it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.einvoice_consumer_order_auto_match = True
        cls.Order = cls.env["billing.einvoice.consumer.order"]
        cls.env["billing.einvoice.billing.subject"].create(
            {
                "name": "Sähkö",
                "code": "ELECTRICITY",
                "sender_info_identifier": "SUBJ-TEST-001",
                "seller_party_identifier": "1234567-1",
                "einvoice_address": "FI4950009420028730",
                "einvoice_intermediator": "OKOYFIHH",
                "company_id": cls.company.id,
            }
        )
        cls.template = (DATA_DIR / "ri_bare_utf8.xml").read_bytes()
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Ville Virtanen {index}", "ref": f"BATCH-{index:03d}"} for index in range(40)]
        )

    def _file(self, customers, action=b"ADD"):
        return b"".join(
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + self.template.replace(b"CUST-3001", customer.ref.encode())
            .replace(b"RI-BARE-0001", f"RI-BATCH-{customer.ref}-{action.decode()}".encode())
            .replace(b"<MessageActionCode>ADD", b"<MessageActionCode>" + action)
            for customer in customers
        )

    def _import_counting(self, data):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        orders = self.Order._import_bytes(data, "ri.xml")
        self.env.flush_all()
        return orders, self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_the_file(self):
        self._import_counting(self._file(self.customers[:2]))  # caches warm
        small, small_queries = self._import_counting(self._file(self.customers[2:7]))
        big, big_queries = self._import_counting(self._file(self.customers[7:]))
        self.assertEqual((len(small), len(big)), (5, 33))
        self.assertEqual(set((small | big).mapped("state")), {"done"})
        self.assertEqual(len(big.agreement_id), 33)
        self.assertLessEqual(big_queries, small_queries + 5, "33 orders take the queries of 5")

    def test_orders_of_one_customer_in_one_file_apply_in_turn(self):
        customer = self.customers[0].with_company(self.company)
        customer.write({"invoice_sending_method": "email", "email": "ville@example.fi"})
        orders = self.Order._import_bytes(self._file(customer) + self._file(customer, b"DELETE"), "ri.xml")
        self.assertEqual(orders.mapped("action"), ["ADD", "DELETE"])
        self.assertEqual(set(orders.mapped("state")), {"done"})
        agreement = customer.einvoice_agreement_ids
        self.assertEqual((agreement.state, agreement.end_order_id), ("ended", orders[1]))
        self.assertEqual(customer.invoice_sending_method, "email")
