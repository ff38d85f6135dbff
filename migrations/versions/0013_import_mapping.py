"""saved mappings of names to codes, per unit and file shape

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00

A reporting unit's confirmed mapping of a file's area and indicator names to codes, saved under a
name and the signature of the file's shape (``domain.mapping.shape_signature``), proposed again for
the next file of that shape and named by the API (``mapping=``) and the command line (``--mapping``).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'import_mapping',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(120), nullable=False),
        sa.Column('signature', sa.String(64), nullable=False),
        sa.Column('mapping', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('agency_id', 'name', name='uq_import_mapping_name'),
    )
    op.create_index('ix_import_mapping_signature', 'import_mapping', ['agency_id', 'signature'])


def downgrade() -> None:
    op.drop_index('ix_import_mapping_signature', table_name='import_mapping')
    op.drop_table('import_mapping')
