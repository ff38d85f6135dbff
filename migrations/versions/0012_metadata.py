"""metadata as data: statuses, validity, formulas, cut-offs, range targets and the history

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00

The configuration (indicator groups, units, indicators, report regimes, plan targets) is managed
in the product (``metadata``): records are retired, never deleted (``status``); indicators get a
formula and a validity; regimes the Decree 09 Art. 12 data cut-off (day 14 of the period's last
month by default, as the Decree sets) and a validity; targets an upper bound (range targets) and
a revision count. ``metadata_history`` keeps every version of every record; ``admin_token`` holds
admins' bearer tokens for the configuration API.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_STATUS = dict(nullable=False, server_default='active')
_ADDED = {
    'indicator_group': [sa.Column('status', sa.String(8), **_STATUS)],
    'indicator': [sa.Column('formula', sa.Text()), sa.Column('status', sa.String(8), **_STATUS),
                  sa.Column('valid_from', sa.Date()), sa.Column('valid_to', sa.Date())],
    'report_regime': [sa.Column('cutoff_day', sa.Integer(), nullable=False, server_default='14'),
                      sa.Column('cutoff_month_offset', sa.Integer(), nullable=False, server_default='0'),
                      sa.Column('valid_from', sa.Date()), sa.Column('valid_to', sa.Date()),
                      sa.Column('status', sa.String(8), **_STATUS)],
    'target': [sa.Column('value_max', sa.Float()), sa.Column('status', sa.String(8), **_STATUS),
               sa.Column('revision', sa.Integer(), nullable=False, server_default='0')],
}


def upgrade() -> None:
    for table, columns in _ADDED.items():
        for column in columns:
            op.add_column(table, column)
    op.create_table(
        'metadata_history',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('key', sa.String(120), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(8), nullable=False),
        sa.Column('before', sa.Text()),
        sa.Column('after', sa.Text(), nullable=False),
        sa.Column('actor', sa.Text(), nullable=False),
        sa.Column('channel', sa.String(12), nullable=False),
        sa.Column('change_set', sa.String(32), nullable=False),
        sa.Column('at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('effective_from', sa.Date()),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_metadata_history')),
        sa.UniqueConstraint('kind', 'key', 'version', name='uq_metadata_history_version'),
    )
    op.create_index('ix_metadata_history_change_set', 'metadata_history', ['change_set'])
    op.create_table(
        'admin_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=False)),
        sa.Column('revoked_at', sa.DateTime(timezone=False)),
        sa.Column('last_used_at', sa.DateTime(timezone=False)),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_admin_token_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_admin_token_token_hash')),
    )


def downgrade() -> None:
    op.drop_table('admin_token')
    op.drop_index('ix_metadata_history_change_set', table_name='metadata_history')
    op.drop_table('metadata_history')
    # SQLite (3.35+) and PostgreSQL both drop a plain column in place (see 0005)
    for table, columns in reversed(list(_ADDED.items())):
        for column in reversed(columns):
            op.drop_column(table, column.name)
