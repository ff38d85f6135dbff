"""the directions' measures summary (``direction_month``), filled from the directions; the list's sort keys in ix_direction_visible

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 17:00:00

Per month, lead unit and confidentiality, the live directions issued, ended and closed (on time,
late, days late), for every viewer (``named_agency_id`` 0) and for each unit a direction names;
``directions.service`` keeps it in the transaction of every write (``directions.summary.refresh``).
On PostgreSQL ``ix_direction_visible`` also INCLUDEs the list's sort keys (issued_on, deadline): a
unit's page is chosen from the index alone.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from directions.summary import refresh

revision: str = '0022'
down_revision: str | Sequence[str] | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'direction_month',
        sa.Column('named_agency_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('lead_agency_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ('issued', 'ended', 'closed', 'on_time', 'late', 'late_days', 'open_end')),
        sa.PrimaryKeyConstraint('named_agency_id', 'month', 'lead_agency_id', 'confidential'),
    )
    op.create_index('ix_direction_month_last', 'direction_month',
                    ['named_agency_id', 'lead_agency_id', 'confidential', 'month'],
                    postgresql_include=['open_end'])
    refresh(op.get_bind())
    if op.get_bind().dialect.name == 'postgresql':  # a unit's page sorted from the index alone
        op.drop_index('ix_direction_visible', table_name='direction')
        op.create_index('ix_direction_visible', 'direction', ['id'],
                        postgresql_include=['state', 'confidential', 'issued_on', 'deadline'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_direction_visible', table_name='direction')
        op.create_index('ix_direction_visible', 'direction', ['id'], postgresql_include=['state', 'confidential'])
    op.drop_table('direction_month')
