"""the scheduler's claims, the mail deliveries and the subscriptions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:00:00

``scheduled_job`` and ``job_run``: the periodic jobs and one claim per occurrence, unique on (job,
due time), so that any number of scheduler processes run each occurrence once. ``mail_delivery``:
each message kept until the server accepted it, retried with back-off, keyed so it is never sent
twice. ``subscription`` and ``subscription_delivery``: what a user has mailed, and each
occurrence's outcome. ``app_user.email``: where a user's mail goes.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.add_column('app_user', sa.Column('email', sa.String(254), nullable=True))
    op.create_table(
        'scheduled_job',
        sa.Column('name', sa.String(120), nullable=False),
        sa.Column('schedule', sa.Text(), nullable=False),
        sa.Column('function_path', sa.Text(), nullable=False),
        sa.Column('since', sa.DateTime(timezone=False), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduled_job')),
    )
    op.create_table(
        'job_run',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('job', sa.String(200), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('claimed_by', sa.String(120), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=False), nullable=True),
        sa.Column('state', sa.String(8), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
        sa.UniqueConstraint('job', 'due_at', name='uq_job_run_occurrence'),
    )
    op.create_table(
        'mail_delivery',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('key', sa.String(200), nullable=False),
        sa.Column('message_id', sa.String(250), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('raw', sa.LargeBinary(), nullable=False),
        sa.Column('state', sa.String(8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('lease_until', sa.DateTime(timezone=False), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=False), nullable=True),
        sa.Column('transport', sa.String(8), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_delivery')),
        sa.UniqueConstraint('key', name=op.f('uq_mail_delivery_key')),
    )
    op.create_index('ix_mail_delivery_due', 'mail_delivery', ['state', 'next_attempt_at'])
    op.create_table(
        'subscription',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('target', sa.Text(), nullable=False),
        sa.Column('fmt', sa.String(4), nullable=False),
        sa.Column('lang', sa.String(2), nullable=False),
        sa.Column('cadence', sa.String(8), nullable=False),
        sa.Column('at_time', sa.String(5), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=True),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('stamp', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_subscription_owner_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription')),
    )
    op.create_index('ix_subscription_owner', 'subscription', ['owner_id'])
    op.create_table(
        'subscription_delivery',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('outcome', sa.String(8), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('mail_key', sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ondelete='CASCADE',
                                name=op.f('fk_subscription_delivery_subscription_id_subscription')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_delivery')),
        sa.UniqueConstraint('subscription_id', 'due_at', name='uq_subscription_delivery_occurrence'),
    )


def downgrade() -> None:
    op.drop_table('subscription_delivery')
    op.drop_index('ix_subscription_owner', table_name='subscription')
    op.drop_table('subscription')
    op.drop_index('ix_mail_delivery_due', table_name='mail_delivery')
    op.drop_table('mail_delivery')
    op.drop_table('job_run')
    op.drop_table('scheduled_job')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('email')
