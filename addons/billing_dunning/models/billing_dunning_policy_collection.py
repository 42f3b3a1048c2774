import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# Customers handled per call of the scheduled action.
RULE_BATCH_SIZE = 50


class BillingDunningPolicy(models.Model):
    """After the last level: propose, or start, a collection dossier (off unless switched on)."""

    _inherit = "billing.dunning.policy"

    collection_rule = fields.Selection(
        [
            ("off", "Off"),
            ("propose", "Propose a collection dossier"),
            ("start", "Start a collection dossier"),
        ],
        string="After the Last Level",
        required=True,
        default="off",
        tracking=True,
        help="Items whose last-level reminder is older than the waiting days: 'Propose' schedules "
        "an activity on the invoice; 'Start' hands them over to the collection agency by itself "
        "(a disputed or blocked item is only proposed). Off: nothing happens after the last level.",
    )
    collection_delay_days = fields.Integer(
        string="Days After the Last Reminder",
        default=14,
        help="How long the last-level reminder is given before the collection rule applies.",
    )
    collection_agency_id = fields.Many2one(
        "billing.collection.agency",
        string="Collection Agency",
        check_company=True,
        help="Empty: the company's first agency.",
    )

    @api.model
    def _cron_collection_rule(self, batch_size=RULE_BATCH_SIZE):
        """Daily: apply the collection rule of every policy that has one."""
        today = fields.Date.context_today(self)
        done = 0
        for policy in self.search([("collection_rule", "!=", "off")]):
            done += policy.with_company(policy.company_id)._apply_collection_rule(today, batch_size - done)
            if done >= batch_size:
                self.env["ir.cron"]._notify_progress(done=done, remaining=1)
                self.env.ref("billing_dunning.ir_cron_billing_collection_rule")._trigger()
                return
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)

    def _get_collection_candidates(self, today):
        """The open invoices of this policy's customers whose last-level reminder went out at
        least ``collection_delay_days`` ago and that no dossier holds, grouped by customer and
        currency (one dossier each)."""
        self.ensure_one()
        last_level = self._get_levels()[-1:]
        if not last_level:
            return {}
        lines = self.env["billing.dunning.reminder.line"].search(
            [
                ("level_id", "=", last_level.id),
                ("date", "<=", today - timedelta(days=self.collection_delay_days)),
                ("reminder_id.state", "in", ("sent", "to_print", "to_call")),
                ("move_id.state", "=", "posted"),
                ("move_id.payment_state", "in", ("not_paid", "partial")),
            ]
        )
        company = self.company_id
        moves = lines.move_id.filtered(
            lambda move: (
                not move.billing_collection_live
                and move.company_id == company
                and (
                    move.commercial_partner_id.with_company(company).billing_dunning_policy_id
                    or company.billing_dunning_policy_id
                )
                == self
            )
        )
        return moves.grouped(lambda move: (move.commercial_partner_id, move.currency_id))

    def _apply_collection_rule(self, today, limit):
        """Propose or start the dossiers of at most ``limit`` customers; how many it handled."""
        self.ensure_one()
        agency = self.collection_agency_id or self.env["billing.collection.agency"]._get_agency_for_company(
            self.company_id
        )
        activity_type = self.env.ref("billing_dunning.mail_activity_type_collection_proposal")
        done = 0
        for moves in self._get_collection_candidates(today).values():
            if done >= limit:
                break
            errors, blocks = moves._get_billing_collection_problems(today)
            if errors:
                continue
            if self.collection_rule == "start" and agency and not blocks:
                try:
                    with self.env.cr.savepoint():
                        self._start_collection_dossier(moves, agency)
                except UserError as exc:
                    _logger.info("dunning policy %s: no dossier started (%s), proposed instead", self.id, exc)
                else:
                    done += 1
                    continue
            fresh = moves.filtered(lambda move: activity_type not in move.activity_ids.activity_type_id)
            if fresh:
                done += 1
            for move in fresh:
                move.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=self.env._("Hand over to the collection agency"),
                    note=self.env._(
                        "The last reminder of %(policy)s went out and the invoice is still unpaid.",
                        policy=self.name,
                    ),
                    user_id=move.invoice_user_id.id or self.env.user.id,
                )
        return done

    def _start_collection_dossier(self, moves, agency):
        """A dossier of ``moves``, handed over (an agency that does not answer leaves it a
        draft with the error, to submit again)."""
        wizard = self.env["billing.collection.start"].create(
            {"move_ids": [(6, 0, moves.ids)], "agency_id": agency.id}
        )
        dossier = wizard._create_dossier()
        dossier.action_submit()
        return dossier
