"""the provinces' scorecards kept in the warehouse (``scorecard_rollup``), refreshed by the transaction that changes them

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 18:45:00

One row per (province, provincial indicator): the row of the province's scorecard
(``data_access.provinces.province_scorecard_rows``) as it was computed at ``version`` by the code
``build``. ``data_access.rollups`` refreshes the rows an accepted submission changes in its own
transaction; a reader uses a row only while no stamp it depends on is newer than ``version``, and
computes the others. Empty after this migration: until a refresh every scorecard is computed.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | Sequence[str] | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'scorecard_rollup',
        sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('build', sa.String(length=32), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('area_id', 'indicator_id', name=op.f('pk_scorecard_rollup')),
    )


def downgrade() -> None:
    op.drop_table('scorecard_rollup')
