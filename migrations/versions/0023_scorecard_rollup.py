"""the provinces' scorecards kept in the warehouse (``scorecard_rollup``, ``rollup_basis``), refreshed by the transaction that changes them

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 18:45:00

One row per (province, provincial indicator): the row of the province's scorecard
(``data_access.provinces.province_scorecard_rows``); per (kind, indicator) in ``rollup_basis`` the
``version`` and the code ``build`` its rows were computed at. ``data_access.rollups`` refreshes
the rows an accepted submission changes in its own transaction; a reader uses an indicator's rows
only while no stamp they depend on is newer than their ``version``, and computes the others. The
basis is small and stamped often (the benchmark's data-less versions carry it over): half of each
page is left free for updates in place, as for ``data_stamp``. Empty after this migration: until a
refresh (``init-db`` does one) every scorecard is computed.
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
        sa.Column('payload', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('area_id', 'indicator_id', name='pk_scorecard_rollup'),
    )
    op.create_table(
        'kpi_rollup',
        sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('area_id', 'indicator_id', name='pk_kpi_rollup'),
    )
    op.create_table(
        'rollup_basis',
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('build', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'indicator_id', name='pk_rollup_basis'),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE rollup_basis SET (fillfactor = 50)')


def downgrade() -> None:
    op.drop_table('rollup_basis')
    op.drop_table('kpi_rollup')
    op.drop_table('scorecard_rollup')
