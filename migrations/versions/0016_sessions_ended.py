"""a counter of ended sessions, read with the data version

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:00:00

``data_version.sessions_ended`` grows in the transaction that ends a session (sign-out, a
revocation by an administrator, a change of the user, an expiry). Each process remembers the
sessions it checked for a few seconds and reads this counter with ``data_version.version`` on
every request (the same one-row read): a changed counter drops everything it remembers, so an
ended session is refused by every process on its next request.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('data_version', sa.Column('sessions_ended', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade() -> None:
    op.drop_column('data_version', 'sessions_ended')
