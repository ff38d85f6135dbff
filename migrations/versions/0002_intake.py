"""report intake: API tokens and submission periods

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_api_token_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_table('submission_period',
    sa.Column('submission_id', sa.BigInteger(), nullable=False),
    sa.Column('regime_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['regime_id'], ['report_regime.id'], name=op.f('fk_submission_period_regime_id_report_regime')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_period_submission_id_submission')),
    sa.PrimaryKeyConstraint('submission_id', 'regime_id', 'period', name=op.f('pk_submission_period'))
    )
    with op.batch_alter_table('submission_period', schema=None) as batch_op:
        batch_op.create_index('ix_submission_period_regime_period', ['regime_id', 'period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission_period', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_period_regime_period')
    op.drop_table('submission_period')
    op.drop_table('api_token')
