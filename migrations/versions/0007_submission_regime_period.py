"""an index of submissions by regime and period

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:00:00

The reporting calendar of one regime (the compliance page) reads the accepted submissions of
that regime for a few periods; submissions carrying their regime and period directly (the seeded
history) were found by a scan of the whole register.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_submission_regime_period', 'submission', ['regime_id', 'period'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_submission_regime_period', table_name='submission')
