"""which data set the warehouse holds: the illustrative demo or the official statistics

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 12:00:00

``data_version.dataset`` is ``demo`` (the illustrative data of the demo seed), ``real`` (the
statistics office's published tables, loaded by ``flask --app app import-real``) or empty (nothing
loaded yet). Each loader refuses a warehouse that holds the other set, and the interface marks
every page, wall, export and briefing pack with the set it shows. A warehouse seeded with the
demo before this revision is recognised by the demo seed's submissions.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('data_version', sa.Column('dataset', sa.String(8)))
    op.execute("UPDATE data_version SET dataset = 'demo' WHERE EXISTS "
               "(SELECT 1 FROM submission WHERE channel = 'seed' AND submitted_by = 'demo')")


def downgrade() -> None:
    op.drop_column('data_version', 'dataset')
