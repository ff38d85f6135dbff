"""alert rules, the alerts they raised (one per occurrence), webhooks and the delivery log

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:00:00

``alert.occurrence_key`` is unique: an intake or a scheduled run that meets an occurrence already
raised inserts nothing (``ON CONFLICT DO NOTHING``), so no alert fires twice. ``alert_delivery``
has one row per (alert, channel, target): a webhook or an e-mail is attempted, retried with
back-off and logged there, never sent twice.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: Union[str, Sequence[str], None] = '0020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'alert_rule',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('regime_id', sa.Integer(), nullable=True),
        sa.Column('comparison', sa.String(12), nullable=True),
        sa.Column('threshold', sa.Float(), nullable=True),
        sa.Column('percent', sa.Float(), nullable=True),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.Column('severity', sa.String(8), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('webhooks', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name='fk_alert_rule_indicator_id_indicator'),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'], name='fk_alert_rule_area_id_area'),
        sa.ForeignKeyConstraint(['regime_id'], ['report_regime.id'], name='fk_alert_rule_regime_id_report_regime'),
        sa.PrimaryKeyConstraint('id', name='pk_alert_rule'),
    )
    op.create_table(
        'alert',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('occurrence_key', sa.String(200), nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('severity', sa.String(8), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('period', sa.String(10), nullable=True),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('reference', sa.Float(), nullable=True),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('submission_id', sa.BigInteger(), nullable=True),
        sa.Column('raised_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=False), nullable=True),
        sa.Column('acknowledged_by', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['rule_id'], ['alert_rule.id'], name='fk_alert_rule_id_alert_rule'),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name='fk_alert_indicator_id_indicator'),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'], name='fk_alert_area_id_area'),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_alert_agency_id_agency'),
        sa.PrimaryKeyConstraint('id', name='pk_alert'),
        sa.UniqueConstraint('occurrence_key', name='uq_alert_occurrence_key'),
    )
    op.create_index('ix_alert_raised_at', 'alert', ['raised_at'], unique=False)
    op.create_table(
        'webhook',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('secret', sa.Text(), nullable=False),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_webhook'),
    )
    op.create_table(
        'alert_delivery',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('alert_id', sa.BigInteger(), nullable=False),
        sa.Column('channel', sa.String(8), nullable=False),
        sa.Column('target', sa.String(200), nullable=False),
        sa.Column('state', sa.String(8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=False), nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name='fk_alert_delivery_alert_id_alert'),
        sa.PrimaryKeyConstraint('id', name='pk_alert_delivery'),
        sa.UniqueConstraint('alert_id', 'channel', 'target', name='uq_alert_delivery_once'),
    )
    op.create_index('ix_alert_delivery_due', 'alert_delivery', ['state', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_alert_delivery_due', table_name='alert_delivery')
    op.drop_table('alert_delivery')
    op.drop_table('webhook')
    op.drop_index('ix_alert_raised_at', table_name='alert')
    op.drop_table('alert')
    op.drop_table('alert_rule')
