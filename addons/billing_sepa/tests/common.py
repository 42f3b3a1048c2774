"""Shared setup of the SEPA collection tests: a company collecting by direct debit from three
debtors, and the bank reports (camt.053/054, pain.002) that answer its batches."""

import base64

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests.common import freeze_time

CREDITOR_IBAN = "DE89370400440532013000"


def camt_file(version, returns, iban=CREDITOR_IBAN, message_id="CAMT-1"):
    """A camt.053/054 file with one booked SDD return entry per (end_to_end_id, amount, code, charge)."""
    root, block = (
        ("BkToCstmrStmt", "Stmt") if version.startswith("camt.053") else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    )
    old = version.endswith(".02")
    entries = []
    for index, (end_to_end_id, amount, code, charge) in enumerate(returns, 1):
        charges = ""
        if charge:
            charges = (
                f'<Chrgs><Amt Ccy="EUR">{charge:.2f}</Amt></Chrgs>'
                if old
                else f'<Chrgs><Rcrd><Amt Ccy="EUR">{charge:.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd></Rcrd></Chrgs>'
            )
        status = "<Sts>BOOK</Sts>" if old else "<Sts><Cd>BOOK</Cd></Sts>"
        entries.append(
            f"""<Ntry><Amt Ccy="EUR">{amount + (charge or 0):.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd>{status}
<BookgDt><Dt>2026-03-25</Dt></BookgDt><ValDt><Dt>2026-03-25</Dt></ValDt><AcctSvcrRef>REF{index}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end_id}</EndToEndId><MndtId>UNKNOWN</MndtId></Refs>
<AmtDtls><InstdAmt><Amt Ccy="EUR">{amount:.2f}</Amt></InstdAmt></AmtDtls>{charges}
<RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Returned {code}</AddtlInf></RtrInf></TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}"><{root}>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-03-25T08:00:00</CreDtTm></GrpHdr>
<{block}><Id>N1</Id><CreDtTm>2026-03-25T08:00:00</CreDtTm><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
{"".join(entries)}</{block}></{root}></Document>""".encode()


def pain002_file(version, batch, rejects=(), block_reject=None, message_id="STS-1"):
    """A status report on ``batch``'s file rejecting transactions (end_to_end_id, amount, code) or a block."""
    block_id = batch.collection_move_ids[
        :1
    ].sepa_payment_info_identifier or batch._get_payment_info_identifier("CORE", "RCUR")
    transactions = "".join(
        f"""<TxInfAndSts><OrgnlInstrId>{e2e}</OrgnlInstrId><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>{code}</Cd></Rsn></StsRsnInf><OrgnlTxRef><Amt><InstdAmt Ccy="EUR">{amount:.2f}</InstdAmt></Amt>
<ReqdColltnDt>2026-03-20</ReqdColltnDt></OrgnlTxRef></TxInfAndSts>"""
        for e2e, amount, code in rejects
    )
    block_status = (
        f"<PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>{block_reject}</Cd></Rsn></StsRsnInf>"
        if block_reject
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}"><CstmrPmtStsRpt>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-03-19T08:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{batch.message_identifier}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>{block_id}</OrgnlPmtInfId>{block_status}{transactions}</OrgnlPmtInfAndSts>
</CstmrPmtStsRpt></Document>""".encode()


class SepaBatchCommon(AccountTestInvoicingCommon):
    """A company with a creditor identifier, a bank journal and three debtors with mandates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "sepa_creditor_identifier": "DE98ZZZ09999999999",
                "city": "Berlin",
                "country_id": cls.env.ref("base.de").id,
            }
        )
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.bank_journal.bank_account_id = cls.env["res.partner.bank"].create(
            {"acc_number": "DE89370400440532013000", "partner_id": cls.company.partner_id.id}
        )
        cls.debtors = cls.env["res.partner"].create(
            [
                {
                    "name": "Zoë Müller & Söhne",
                    "city": "Köln",
                    "country_id": cls.env.ref("base.de").id,
                    "street": "Domstraße 1",
                },
                {"name": "Jan Jansen"},
                {"name": "Олег Петров"},
            ]
        )
        for partner in cls.debtors:
            partner.with_company(cls.company).sepa_direct_debit = True
        ibans = ["NL91ABNA0417164300", "NL69INGB0123456789", "NL44RABO0123456789"]
        cls.mandates = cls.env["billing.sepa.mandate"].create(
            [
                {
                    "partner_id": partner.id,
                    "partner_bank_id": cls.env["res.partner.bank"]
                    .create({"acc_number": iban, "partner_id": partner.id})
                    .id,
                    "signature_date": "2026-01-05",
                    "company_id": cls.company.id,
                }
                for partner, iban in zip(cls.debtors, ibans, strict=True)
            ]
        )
        cls.mandates.action_activate()

    def _post_invoices(self, amounts_by_partner, invoice_date="2026-03-02"):
        with freeze_time(invoice_date):
            invoices = self.env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": invoice_date,
                        "currency_id": self.eur.id,
                        "invoice_line_ids": [
                            Command.create({"name": "Subscription", "price_unit": amount, "tax_ids": []})
                        ],
                    }
                    for partner, amount in amounts_by_partner
                ]
            )
            invoices.action_post()
        return invoices

    def _create_collection(self, collection_date="2026-03-20", today="2026-03-18"):
        with freeze_time(today):
            batch_id = self.env["billing.sepa.batch"].create_collection(
                collection_date, self.company.id, self.bank_journal.id
            )
        return self.env["billing.sepa.batch"].browse(batch_id)

    def _collect(self, batch_booking):
        self.bank_journal.sepa_batch_booking = batch_booking
        invoices = self._post_invoices(
            [(self.debtors[0], 10.0), (self.debtors[1], 20.5), (self.debtors[2], 0.01)]
        )
        batch = self._create_collection()
        batch.action_generate_file()
        batch.action_mark_sent()
        batch.action_mark_collected()
        return invoices, batch


class SepaReturnsCommon(SepaBatchCommon):
    """A booked batch of three debits and a charge account for the bank's return fees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.charge_account = cls.company_data["default_account_expense"]
        cls.company.sepa_return_charge_account_id = cls.charge_account

    def _booked_batch(self, batch_booking=True):
        return self._collect(batch_booking)

    def _import(self, data, name="report.xml", company=None):
        with freeze_time("2026-03-26"):
            result = self.env["billing.sepa.return.import"].import_file(
                base64.b64encode(data).decode(), name, (company or self.company).id
            )
        return self.env["billing.sepa.return.import"].browse(result["id"]), result

    def _line(self, batch, invoice):
        return batch.line_ids.filtered(lambda line: line.move_id == invoice)
