"""the day a kind's rows were computed on (``rollup_basis.day``): a daily indicator's KPI tiles are kept too, for that day

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 22:30:00

A daily indicator's tile reads windows that end today (``data_access.queries.kpis_live``), so its
kept rows hold for the day they were computed on only: a reader uses them while ``day`` is today
(and no stamp they depend on is newer), and computes them otherwise. The other rows do not depend
on the day; their ``day`` is recorded all the same. Null on the rows of earlier refreshes: a
daily indicator's were never kept.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | Sequence[str] | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rollup_basis') as batch:
        batch.add_column(sa.Column('day', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rollup_basis') as batch:
        batch.drop_column('day')
