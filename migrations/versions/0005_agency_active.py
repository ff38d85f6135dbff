"""reporting units can be deactivated (admin page /admin/units)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 07:00:00

A deactivated unit keeps its row and history; it is no longer offered on the upload page, its
submissions are refused by every channel, and it leaves the compliance calendar. Existing units
are active.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('agency', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    # SQLite (3.35+) and PostgreSQL both drop a plain column in place; a batch copy of the table
    # would trip the foreign keys that point at it
    op.drop_column('agency', 'active')
