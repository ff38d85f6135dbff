"""what each data_version changed: per-scope stamps for fine-grained cache invalidation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 08:00:00

``data_stamp(scope, version)``: ``*`` for changes to anything, ``i:<code>`` for an indicator's
observations, ``daily`` for daily items. Starts with ``*`` at the current data_version, so every
cache entry made before the upgrade is simply missed once. ``data_version.submissions`` counts
the submissions recorded (accepted or rejected), which change the reporting calendar without
changing any indicator.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'data_stamp',
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_data_stamp')),
    )
    op.add_column('data_version', sa.Column('submissions', sa.BigInteger(), nullable=False, server_default='0'))
    op.execute("INSERT INTO data_stamp (scope, version) SELECT '*', COALESCE(MAX(version), 0) FROM data_version")


def downgrade() -> None:
    op.drop_column('data_version', 'submissions')
    op.drop_table('data_stamp')
