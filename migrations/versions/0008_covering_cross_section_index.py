"""the cross-section index carries the value (PostgreSQL: an index-only read of every area)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 10:00:00

A cross-section, a regional aggregate and the province scorecard read the values of every area
of an indicator at one period through ``ix_current_indicator_period``; with ``value`` included in
the index PostgreSQL answers them from the index alone instead of one heap page per area
(measured at 10 M observations: the scorecard's read of 3,800 values fell from 8 to 3 ms).
SQLite has no included columns: there the index is unchanged.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = ['indicator_id', 'period_start', 'area_id']


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_current_indicator_period', table_name='current_observation')
    op.create_index('ix_current_indicator_period', 'current_observation', COLUMNS, unique=False,
                    postgresql_include=['value'])


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_current_indicator_period', table_name='current_observation')
    op.create_index('ix_current_indicator_period', 'current_observation', COLUMNS, unique=False)
