from odoo import models


class BillingSepaReturn(models.Model):
    """What a return does to the mandate: its sequence, its amendments and its state."""

    _inherit = "billing.sepa.return"

    def _correct_rejected_collections(self):
        """A reject comes before settlement: the collection it rejects did not happen.

        - with FRST, it was no first collection: the next one is FRST again (a return, after
          settlement, leaves the mandate settled);
        - a one-off mandate, closed when its collection was sent, was not used: active again;
        - the amendments the rejected collection carried were not accepted: the next collection
          carries them again.

        The mandate's last collection date stays: the 36 months of a mandate count from the last
        collection presented, rejected or not.
        """
        rejects = self.filtered(lambda ret: ret.kind == "reject" and ret.mandate_id)
        if not rejects:
            return
        first = rejects.filtered(lambda ret: ret.batch_line_id.sequence_type == "FRST")
        first.mandate_id.filtered("sequence_settled").sudo().write({"sequence_settled": False})
        one_off = rejects.filtered(lambda ret: ret.batch_line_id.sequence_type == "OOFF").mandate_id
        one_off.filtered(lambda mandate: mandate.state == "closed").sudo().write({"state": "active"})
        amendments = rejects.mandate_id.amendment_ids
        carried = amendments.filtered(
            lambda amendment: any(
                ret.mandate_id == amendment.mandate_id
                and ret.batch_id.collection_date == amendment.presented_date
                for ret in rejects
            )
        )
        carried.sudo().write({"presented_date": False})

    def _apply_mandate_actions(self):
        """Suspend or close the mandates of returns whose reason says so.

        A suspended mandate is skipped by collections until a person reactivates it (a new
        account, the debtor's word); a closed one is never collected again.
        """
        returns = self.filtered(lambda ret: ret.reason_id.action == "suspend_mandate" and ret.mandate_id)
        to_close = returns.filtered("reason_id.close_mandate").mandate_id
        to_close = to_close.filtered(lambda mandate: mandate.state in ("active", "suspended"))
        to_suspend = (returns.mandate_id - to_close).filtered(lambda mandate: mandate.state == "active")
        # No tracking message per mandate: the return's own note on the mandate says why (one
        # batch of notes for all, where tracking would log two rows per mandate at commit).
        to_close.sudo().with_context(mail_notrack=True).write({"state": "closed"})
        to_suspend.sudo().with_context(mail_notrack=True).write({"state": "suspended"})
