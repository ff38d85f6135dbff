"""computed observations: the values of derived (formula) indicators, written by the product

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00

The values of an indicator defined by a formula are computed by the product from its inputs
(``metadata.derived``) and stored like reported values, so the boards read them as they read any
other; ``computed`` marks them (in ``observation`` and ``current_observation``), and they carry the
submission that made them change (or none: a change of the formula, the demo seed).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TABLES = ('observation', 'current_observation')


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column('computed', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in _TABLES:
        op.drop_column(table, 'computed')
