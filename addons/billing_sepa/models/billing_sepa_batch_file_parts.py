import hashlib
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from ..sepa import pain008
from ..tools import get_chunk_size

# A planned file of more direct debits than this is built in the background in parts of this
# many debits, one part per transaction (ir.config_parameter billing_sepa.file_chunk_size); the
# next call puts the file together. See tests/bench/README.md.
DEFAULT_FILE_CHUNK_SIZE = 10000


class BillingSepaBatch(models.Model):
    """A large pain.008 file built in parts: a chunk of its debits per transaction, then assembled.

    The parts are ``billing.sepa.batch.file.part`` records holding the serialized
    ``DrctDbtTxInf`` elements; the file is the one :meth:`_build_planned_file` builds in one go,
    byte for byte.
    """

    _inherit = "billing.sepa.batch"

    generation_plan_key = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of the plan the background generation follows: when the journal's "
        "settings or the file chunk size change it, the generation starts again.",
    )
    generated_part_count = fields.Integer(
        string="Parts Built",
        readonly=True,
        copy=False,
        help="Parts of the file in progress already built by the background generation.",
    )
    planned_part_count = fields.Integer(
        string="Parts Planned",
        readonly=True,
        copy=False,
        help="Parts of the file in progress, when it is built in parts (0 otherwise).",
    )

    @api.model
    def _get_file_chunk_size(self):
        return get_chunk_size(self.env, "billing_sepa.file_chunk_size", DEFAULT_FILE_CHUNK_SIZE)

    def _get_largest_planned_file(self):
        """The number of debits of the batch's largest file, without planning them if possible."""
        self.ensure_one()
        journal = self.journal_id
        limit = max(journal.sepa_max_transactions_per_file, 0)
        if not journal.sepa_one_block_per_file:
            return min(limit, self.line_count) if limit else self.line_count
        return max(self._count_file_transactions(file_blocks) for file_blocks in self._plan_files())

    @api.model
    def _count_file_transactions(self, file_blocks):
        return sum(len(lines) for *_block, lines in file_blocks)

    @api.model
    def _plan_file_parts(self, file_blocks, chunk_size):
        """The parts of a planned file: each block's lines cut in pieces of ``chunk_size``.

        :return: a list of (block's index in the file, lines)
        """
        return [
            (block_index, lines[start : start + chunk_size])
            for block_index, (*_block, lines) in enumerate(file_blocks)
            for start in range(0, len(lines), chunk_size)
        ]

    @api.model
    def _count_planned_parts(self, files, chunk_size):
        """How many parts the files of the plan are built in: 0 for a file built in one go."""
        return sum(
            len(self._plan_file_parts(file_blocks, chunk_size))
            for file_blocks in files
            if self._count_file_transactions(file_blocks) > chunk_size
        )

    @api.model
    def _get_generation_plan_key(self, files, chunk_size):
        """A fingerprint of the plan: each block's PmtInfId, first and last line and size."""
        shape = [
            [
                (identifier, lines._ids[:1], lines._ids[-1:], len(lines))
                for identifier, *_x, lines in file_blocks
            ]
            for file_blocks in files
        ]
        return hashlib.sha256(repr((shape, chunk_size)).encode()).hexdigest()[:32]

    def _drop_file_parts(self):
        self.env["billing.sepa.batch.file.part"].sudo().search([("batch_id", "in", self.ids)]).unlink()

    def _build_next_file_part(self, files, index, generation, block_info, chunk_size):
        """Build the next part of file ``index`` of the plan ``files``, or, once every part is
        built, put the file together: a call of its own, as validating the whole file takes
        seconds at 100 000 debits.

        The part's debits get the checks of the whole file (an EndToEndId of an earlier part of
        the file is refused as in one go) and record the file's identifiers.

        :return: the values of the file's attachment once the file is whole, else None
        """
        self.ensure_one()
        file_blocks = files[index]
        parts = self._plan_file_parts(file_blocks, chunk_size)
        number = self.generated_part_count
        message_identifier = self._get_message_identifier(len(files), index, generation)
        version = self.journal_id.sepa_pain_version or pain008.PAIN008_001_08
        if number >= len(parts):
            vals = self._assemble_planned_file(files, index, message_identifier, block_info, version)
            self.message_post(
                body=self.env._(
                    "File %(file)s of %(files)s (%(count)s direct debits) put together from its %(parts)s parts.",
                    file=index + 1,
                    files=len(files),
                    count=self._count_file_transactions(file_blocks),
                    parts=len(parts),
                )
            )
            return vals
        block_index, lines = parts[number]
        identifier, scheme, sequence_type, _block_lines = file_blocks[block_index]
        seen_end_to_end_ids = self._get_end_to_end_ids(
            self.env["billing.sepa.batch.line"].concat(*(part_lines for _index, part_lines in parts[:number]))
        )
        lines._prefetch_direct_debits()
        fragment = self._call_sepa_writer(
            pain008.build_transactions,
            block_info(identifier, scheme, sequence_type, lines),
            version,
            seen_end_to_end_ids,
        )
        self.env["billing.sepa.batch.file.part"].sudo().create(
            {
                "batch_id": self.id,
                "file_index": index,
                "sequence": number,
                "payment_info_identifier": identifier,
                "transaction_count": len(lines),
                "fragment": fragment.decode(),
            }
        )
        lines.write({"message_identifier": message_identifier, "payment_info_identifier": identifier})
        self.write({"generated_part_count": number + 1, "planned_part_count": len(parts)})
        return None

    def _assemble_planned_file(self, files, index, message_identifier, block_info, version):
        """Put file ``index`` together from its parts, validate it, drop the parts.

        The counts and control sums of the file and of its blocks come from the lines' amounts,
        one aggregate per block: the debits are not built again.

        :return: the values of its attachment
        """
        self.ensure_one()
        file_blocks = files[index]
        Part = self.env["billing.sepa.batch.file.part"].sudo()
        parts = Part.search([("batch_id", "=", self.id), ("file_index", "=", index)], order="sequence")
        fragments = {identifier: [] for identifier, *_block in file_blocks}
        for part in parts:
            fragments[part.payment_info_identifier].append(part.fragment.encode())
        empty = self.env["billing.sepa.batch.line"]
        message = self._prepare_file_message(
            message_identifier,
            [
                block_info(identifier, scheme, sequence_type, empty)
                for identifier, scheme, sequence_type, _lines in file_blocks
            ],
        )
        transaction_parts = []
        for identifier, _scheme, _sequence_type, lines in file_blocks:
            transaction_parts.append(
                pain008.TransactionParts(
                    count=len(lines),
                    control_sum=self._get_control_sum(lines),
                    fragments=fragments[identifier],
                )
            )
        raw = self._call_sepa_writer(pain008.assemble_pain008, message, transaction_parts, version)
        parts.unlink()
        self.write({"generated_part_count": 0, "planned_part_count": 0})
        return self._prepare_file_attachment_vals(message_identifier, raw)

    def _get_control_sum(self, lines):
        """The sum of the lines' amounts as the file writes them (to the cent), in one query."""
        self.env["billing.sepa.batch.line"].flush_model(["amount"])
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(SUM(ROUND(amount, 2)), 0) FROM billing_sepa_batch_line WHERE id = ANY(%s)",
                list(lines._ids),
            )
        )
        return Decimal(self.env.cr.fetchone()[0]).quantize(Decimal("0.01"))

    def _get_end_to_end_ids(self, lines):
        """The EndToEndIds of ``lines``, read in one query (not through 10 000s of records)."""
        if not lines:
            return set()
        self.env["billing.sepa.batch.line"].flush_model(["end_to_end_id"])
        self.env.cr.execute(
            SQL(
                "SELECT end_to_end_id FROM billing_sepa_batch_line WHERE id = ANY(%s)",
                list(lines._ids),
            )
        )
        return {end_to_end_id for (end_to_end_id,) in self.env.cr.fetchall()}
