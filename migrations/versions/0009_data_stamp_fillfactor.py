"""data_stamp keeps room in its pages for updates in place

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:30:00

Stamps are now upserted (updated in place) instead of deleted and inserted again; with half of
each page left free, PostgreSQL makes every such update a heap-only one, so the small table is
never more than a few pages however often it is stamped. The table is rewritten once here to
drop what the old way left behind. SQLite: nothing to do.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER TABLE data_stamp SET (fillfactor = 50)')
    op.execute('CLUSTER data_stamp USING pk_data_stamp')  # a compact copy, in the migration's transaction


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER TABLE data_stamp RESET (fillfactor)')
