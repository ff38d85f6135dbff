"""sign-in throttle per (user name, client) pair with back-off; known devices

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00

The old throttle locked a user name after 5 failures and an address after 30, whoever failed:
anyone could lock anyone out. ``auth_throttle`` now keeps one row per pair (a user name and a
known device, or a user name and an address), per user name and per address, with the wait that
the key's next attempt must honour (exponential back-off, capped) instead of a lock. Its rows are
short-lived counters, so the table is recreated empty rather than converted. ``known_device``
holds the sha256 of each device cookie issued by a successful sign-in.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table('auth_throttle')
    op.create_table(
        'auth_throttle',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('address', sa.String(length=100), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failure_at', sa.DateTime(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=False),
        sa.Column('wait_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_auth_throttle')),
    )
    op.create_index('ix_auth_throttle_username', 'auth_throttle', ['username'], unique=False)
    op.create_index('ix_auth_throttle_address', 'auth_throttle', ['address'], unique=False)
    op.create_index('ix_auth_throttle_last_failure_at', 'auth_throttle', ['last_failure_at'], unique=False)
    op.create_table(
        'known_device',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_known_device_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_known_device')),
    )
    op.create_index('ix_known_device_user_id', 'known_device', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_known_device_user_id', table_name='known_device')
    op.drop_table('known_device')
    op.drop_index('ix_auth_throttle_last_failure_at', table_name='auth_throttle')
    op.drop_index('ix_auth_throttle_address', table_name='auth_throttle')
    op.drop_index('ix_auth_throttle_username', table_name='auth_throttle')
    op.drop_table('auth_throttle')
    op.create_table(
        'auth_throttle',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_auth_throttle')),
    )
