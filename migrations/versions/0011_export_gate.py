"""the render gate of exports and background pack renders

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00

``export_slot``: one row per pack (or chart) render waiting or running, shared by every worker and
host so that the limits on concurrent renders hold everywhere; rows carry a lease that their
process renews, and a row whose lease has passed is swept. ``export_job``: packs rendered in the
background, kept for their owner until downloaded or expired.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'export_slot',
        sa.Column('id', sa.String(32), nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('owner', sa.String(200), nullable=False),
        sa.Column('state', sa.String(8), nullable=False),
        sa.Column('enqueued_at', sa.Float(), nullable=False),
        sa.Column('lease_until', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_slot')),
    )
    op.create_index('ix_export_slot_kind', 'export_slot', ['kind', 'enqueued_at'])
    op.create_table(
        'export_job',
        sa.Column('id', sa.String(32), nullable=False),
        sa.Column('owner', sa.String(200), nullable=False),
        sa.Column('fmt', sa.String(8), nullable=False),
        sa.Column('state', sa.String(8), nullable=False),
        sa.Column('created_at', sa.Float(), nullable=False),
        sa.Column('finished_at', sa.Float(), nullable=True),
        sa.Column('filename', sa.Text(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job')),
    )
    op.create_index('ix_export_job_created_at', 'export_job', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_export_job_created_at', table_name='export_job')
    op.drop_table('export_job')
    op.drop_index('ix_export_slot_kind', table_name='export_slot')
    op.drop_table('export_slot')
