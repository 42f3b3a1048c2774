"""18.0.1.2.0: return reasons learn to close a mandate for good and to charge the return fee.

The reasons are shipped as ``noupdate`` data, so an update does not set the two new flags on a
database that had the reasons already. Set them on the shipped reasons here, as a fresh install
has them: AC04 (account closed), MD01 (no mandate) and MD07 (debtor deceased) close the mandate;
AC04, AC06, AM04 and MS02 charge the fee (when the company switches return fees on).
"""

CLOSE_MANDATE = (
    "billing_sepa_return_reason_ac04",
    "billing_sepa_return_reason_md01",
    "billing_sepa_return_reason_md07",
)
CHARGE_FEE = (
    "billing_sepa_return_reason_ac04",
    "billing_sepa_return_reason_ac06",
    "billing_sepa_return_reason_am04",
    "billing_sepa_return_reason_ms02",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE billing_sepa_return_reason reason
           SET close_mandate = reason.close_mandate OR imd.name IN %(close)s,
               charge_fee = reason.charge_fee OR imd.name IN %(fee)s
          FROM ir_model_data imd
         WHERE imd.module = 'billing_sepa'
           AND imd.model = 'billing.sepa.return.reason'
           AND imd.res_id = reason.id
           AND imd.name IN %(shipped)s
        """,
        {"close": CLOSE_MANDATE, "fee": CHARGE_FEE, "shipped": CLOSE_MANDATE + CHARGE_FEE},
    )
