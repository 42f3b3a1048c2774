"""The fast seed of large N: copies of template records made in PostgreSQL."""

import sys


class Multiplier:
    """Copies of template records made in PostgreSQL: the fast seed of large N.

    Seeding 100 000 posted invoices through the ORM takes hours on this machine. The fast seed
    makes a few hundred records through the ORM (the real code path, so that every column holds
    what Odoo writes) and copies them here, ``copies`` times each, with ``INSERT ... SELECT``
    over ``generate_series``. :meth:`clone` copies every column of the template row except:

    - the foreign keys to a table cloned before (or to the table itself), which point at the
      same copy of the record they point at (the copy ``g`` of an invoice belongs to the copy
      ``g`` of its customer); keys to records that were not cloned (company, journal,
      accounts) are kept;
    - the columns given in ``overrides``: SQL expressions over ``tpl`` (the template row),
      ``m`` (``m.g`` the copy, from 1 to ``copies``; ``m.n`` the new row's number, from 1 to
      ``len(ids) * copies``; ``m.new`` its id) and ``r_<column>.new`` (the new id a remapped
      foreign key points at).

    The ids come from the tables' own sequences. The maps are temporary tables dropped at
    commit: clone the tables of one seed in one transaction, then :meth:`analyze` them.
    """

    def __init__(self, env, copies):
        self.env, self.cr, self.copies = env, env.cr, copies
        self.tables = []

    def clone(self, table, ids, overrides=None):
        from odoo.tools import SQL  # noqa: PLC0415

        cr, overrides = self.cr, dict(overrides or {})
        columns = self._columns(table)
        if unknown := set(overrides) - set(columns):
            raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
        map_table = SQL.identifier(f"bench_map_{table}")
        cr.execute(
            SQL(
                """CREATE TEMP TABLE %s (old integer, g integer, n integer, new integer,
                                         PRIMARY KEY (old, g)) ON COMMIT DROP""",
                map_table,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO %(map)s (old, g, n, new)
                   SELECT old, g, n, nextval(pg_get_serial_sequence(%(table)s, 'id'))
                     FROM (SELECT old, g, row_number() OVER (ORDER BY g, old) AS n
                             FROM unnest(%(ids)s::integer[]) AS old,
                                  generate_series(1, %(copies)s) AS g
                            ORDER BY n) AS rows""",
                map=map_table,
                table=table,
                ids=sorted(ids),
                copies=self.copies,
            )
        )
        self.tables.append(table)
        joins, values = [], []
        for column, target in self._foreign_keys(table).items():
            if target in self.tables:
                alias = SQL.identifier(f"r_{column}")
                joins.append(
                    SQL(
                        "LEFT JOIN %s AS %s ON %s.old = tpl.%s AND %s.g = m.g",
                        SQL.identifier(f"bench_map_{target}"),
                        alias,
                        alias,
                        SQL.identifier(column),
                        alias,
                    )
                )
                if column not in overrides:
                    overrides[column] = SQL("COALESCE(%s.new, tpl.%s)", alias, SQL.identifier(column))
        for column in columns:
            values.append(overrides.get(column) or SQL("tpl.%s", SQL.identifier(column)))
        cr.execute(
            SQL(
                """INSERT INTO %(table)s (id, %(columns)s)
                   SELECT m.new, %(values)s
                     FROM %(map)s AS m
                     JOIN %(table)s AS tpl ON tpl.id = m.old
                     %(joins)s
                    ORDER BY m.n""",
                table=SQL.identifier(table),
                columns=SQL(", ").join(SQL.identifier(column) for column in columns),
                values=SQL(", ").join(values),
                map=map_table,
                joins=SQL(" ").join(joins),
            )
        )
        return cr.rowcount

    def new_ids(self, table):
        """The ids of the copies made in ``table`` (before the commit)."""
        from odoo.tools import SQL  # noqa: PLC0415

        self.cr.execute(SQL("SELECT new FROM %s ORDER BY n", SQL.identifier(f"bench_map_{table}")))
        return [row[0] for row in self.cr.fetchall()]

    def analyze(self):
        """Fresh planner statistics for the tables cloned into (after the commit)."""
        from odoo.tools import SQL  # noqa: PLC0415

        for table in self.tables:
            self.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _columns(self, table):
        self.cr.execute(
            """SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = %s AND column_name != 'id'
                ORDER BY ordinal_position""",
            [table],
        )
        return [row[0] for row in self.cr.fetchall()]

    def _foreign_keys(self, table):
        """{column: referenced table} of the single-column foreign keys of ``table``."""
        self.cr.execute(
            """SELECT attribute.attname, target.relname
                 FROM pg_constraint constraint_
                 JOIN pg_class source ON source.oid = constraint_.conrelid
                 JOIN pg_class target ON target.oid = constraint_.confrelid
                 JOIN pg_attribute attribute ON attribute.attrelid = constraint_.conrelid
                                            AND attribute.attnum = constraint_.conkey[1]
                WHERE constraint_.contype = 'f' AND source.relname = %s
                  AND cardinality(constraint_.conkey) = 1""",
            [table],
        )
        return dict(self.cr.fetchall())


def clone_invoices(multiplier, move_ids):
    """Copies of the posted invoices ``move_ids`` and of their lines, after their customers'.

    Each copy is numbered in its journal's sequence after the templates (name,
    sequence_number; the prefix and the number's width kept), and its payment reference and
    receivable line label follow its name when the template's did. The templates must be the
    last entries of one sequence (one journal, one prefix).
    """
    from odoo.tools import SQL  # noqa: PLC0415

    cr = multiplier.cr
    cr.execute(
        """SELECT journal_id, sequence_prefix, max(sequence_number), count(*)
             FROM account_move WHERE id = ANY(%s) GROUP BY journal_id, sequence_prefix""",
        [list(move_ids)],
    )
    sequences = cr.fetchall()
    if len(sequences) != 1:
        sys.exit(f"fast seed: the template invoices span {len(sequences)} sequences, not one")
    journal_id, prefix, last, _count = sequences[0]
    cr.execute(
        "SELECT max(sequence_number) FROM account_move WHERE journal_id = %s AND sequence_prefix = %s",
        [journal_id, prefix],
    )
    if cr.fetchone()[0] != last:
        sys.exit("fast seed: the template invoices are not the last of their sequence")
    number = SQL("(%s + m.n)", last)
    name = SQL(
        "tpl.sequence_prefix || lpad(%(number)s::text, greatest(length(tpl.name) - length(tpl.sequence_prefix),"
        " length(%(number)s::text)), '0')",
        number=number,
    )
    moves = multiplier.clone(
        "account_move",
        move_ids,
        {
            "name": name,
            "sequence_number": number,
            "payment_reference": SQL(
                "CASE WHEN tpl.payment_reference = tpl.name THEN %s ELSE tpl.payment_reference END", name
            ),
        },
    )
    cr.execute("SELECT id FROM account_move_line WHERE move_id = ANY(%s)", [list(move_ids)])
    new_name = SQL("(SELECT name FROM account_move WHERE id = r_move_id.new)")
    lines = multiplier.clone(
        "account_move_line",
        [row[0] for row in cr.fetchall()],
        {
            "move_name": new_name,
            "name": SQL("CASE WHEN tpl.name = tpl.move_name THEN %s ELSE tpl.name END", new_name),
        },
    )
    return moves, lines


def check_cloned_invoices(env, move_ids, sample_size=200):
    """Exit unless the ORM agrees with the cloned invoices ``move_ids``.

    All of them balanced (the ORM's own check) and named uniquely; on a sample, the amounts,
    the residuals and the payment state recomputed by the ORM equal the stored ones. Run it
    after the commit of the copies: it rolls back what it computed.
    """
    import random  # noqa: PLC0415

    env.invalidate_all()
    moves = env["account.move"].browse(move_ids)
    unbalanced = moves._get_unbalanced_moves({"records": moves})
    if unbalanced:
        sys.exit(f"fast seed: {len(unbalanced)} cloned invoices are not balanced, e.g. {unbalanced[:3]}")
    env.cr.execute(
        """SELECT count(*), count(DISTINCT (journal_id, name)) FROM account_move WHERE id = ANY(%s)""",
        [list(move_ids)],
    )
    count, distinct = env.cr.fetchone()
    if count != len(move_ids) or distinct != count:
        sys.exit(f"fast seed: {count} cloned invoices found, {distinct} distinct names, {len(move_ids)} made")
    sample = moves.browse(
        sorted(random.Random(len(move_ids)).sample(list(move_ids), min(sample_size, len(move_ids))))
    )
    move_fields = [
        "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "amount_untaxed_signed",
        "amount_total_signed", "amount_residual_signed", "payment_state", "state",
    ]  # fmt: skip
    line_fields = ["amount_residual", "amount_residual_currency", "reconciled"]
    stored = sample.read(move_fields)
    lines = sample.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
    stored_lines = lines.read(line_fields)
    if len(lines) != len(sample):
        sys.exit(f"fast seed: {len(lines)} receivable lines on {len(sample)} sampled invoices")
    sample._compute_amount()
    sample._compute_payment_state()
    lines._compute_amount_residual()
    differences = [
        (row["id"], field, row[field], record[field])
        for rows, records, names in ((stored, sample, move_fields), (stored_lines, lines, line_fields))
        for row, record in zip(rows, records, strict=True)
        for field in names
        if field != "id" and row[field] != record[field]
    ]
    if any(row["state"] != "posted" or row["payment_state"] != "not_paid" for row in stored):
        sys.exit("fast seed: a sampled cloned invoice is not posted and unpaid")
    env.invalidate_all(flush=False)
    env.cr.rollback()
    if differences:
        sys.exit(f"fast seed: the ORM computes other values than the copies hold: {differences[:5]}")
    return {"cloned invoices": count, "balanced": count, "sampled and recomputed": len(sample)}
