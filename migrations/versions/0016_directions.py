"""directions: leaders' directions assigned to units, their events and attachments

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:00:00

A direction ("chỉ đạo, điều hành") is assigned to a lead unit and cooperating units, concerns
indicators and areas, and is followed until closed: every state change, progress report,
extension and return is an event; files of an event are archived with their SHA-256. Overdue is
computed from the deadline on the centre's calendar, never stored (``domain.directions``).
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
    op.create_table(
        'direction',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('ref', sa.String(20), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('form', sa.String(20), nullable=False),
        sa.Column('doc_number', sa.String(60), nullable=False),
        sa.Column('leader', sa.Text(), nullable=False),
        sa.Column('leader_key', sa.Text(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('lead_agency_id', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('first_deadline', sa.Date(), nullable=False),
        sa.Column('priority', sa.String(8), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('reported_done_at', sa.DateTime(timezone=False)),
        sa.Column('closed_at', sa.DateTime(timezone=False)),
        sa.Column('closed_on', sa.Date()),
        sa.Column('days_late', sa.Integer()),
        sa.Column('search_text', sa.Text(), nullable=False),
        sa.Column('origin', sa.String(12), nullable=False),
        sa.Column('origin_context', sa.Text()),
        sa.ForeignKeyConstraint(['lead_agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ref'),
    )
    op.create_index('ix_direction_state_deadline', 'direction', ['state', 'deadline'],
                    postgresql_include=['lead_agency_id', 'confidential'])
    op.create_index('ix_direction_lead_state', 'direction', ['lead_agency_id', 'state', 'deadline'],
                    postgresql_include=['confidential'])
    op.create_index('ix_direction_closed_on', 'direction', ['closed_on'],
                    postgresql_include=['lead_agency_id', 'issued_on', 'state', 'days_late', 'confidential'])
    op.create_index('ix_direction_issued_on', 'direction', ['issued_on', 'id'])
    op.create_index('ix_direction_deadline', 'direction', ['deadline', 'id'])
    _search_index()
    op.create_table(
        'direction_unit',
        sa.Column('direction_id', sa.BigInteger(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(['direction_id'], ['direction.id']),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('direction_id', 'agency_id'),
    )
    op.create_index('ix_direction_unit_agency', 'direction_unit', ['agency_id', 'direction_id'])
    op.create_table(
        'direction_indicator',
        sa.Column('direction_id', sa.BigInteger(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['direction_id'], ['direction.id']),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id']),
        sa.PrimaryKeyConstraint('direction_id', 'indicator_id'),
    )
    op.create_index('ix_direction_indicator_indicator', 'direction_indicator', ['indicator_id', 'direction_id'])
    op.create_table(
        'direction_area',
        sa.Column('direction_id', sa.BigInteger(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['direction_id'], ['direction.id']),
        sa.ForeignKeyConstraint(['area_id'], ['area.id']),
        sa.PrimaryKeyConstraint('direction_id', 'area_id'),
    )
    op.create_index('ix_direction_area_area', 'direction_area', ['area_id', 'direction_id'])
    op.create_table(
        'direction_event',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('direction_id', sa.BigInteger(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=False), nullable=False),
        sa.Column('actor', sa.Text(), nullable=False),
        sa.Column('role', sa.String(16), nullable=False),
        sa.Column('agency_id', sa.Integer()),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('from_state', sa.String(16)),
        sa.Column('to_state', sa.String(16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('new_deadline', sa.Date()),
        sa.ForeignKeyConstraint(['direction_id'], ['direction.id']),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_direction_event_direction', 'direction_event', ['direction_id', 'at'])
    op.create_table(
        'direction_attachment',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('direction_id', sa.BigInteger(), nullable=False),
        sa.Column('event_id', sa.BigInteger(), nullable=False),
        sa.Column('filename', sa.Text(), nullable=False),
        sa.Column('content_type', sa.String(100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('archive_path', sa.Text(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(['direction_id'], ['direction.id']),
        sa.ForeignKeyConstraint(['event_id'], ['direction_event.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_direction_attachment_direction', 'direction_attachment', ['direction_id'])


def _search_index() -> None:
    """On PostgreSQL, a trigram index for the text filter (``search_text LIKE '%words%'``) when the
    ``pg_trgm`` extension can be created (a trusted extension of PostgreSQL's contrib); without it
    the filter scans the table, which stays correct."""
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return
    savepoint.commit()
    bind.execute(sa.text('CREATE INDEX ix_direction_search_trgm ON direction USING gin (search_text gin_trgm_ops)'))


def downgrade() -> None:
    for table in ('direction_attachment', 'direction_event', 'direction_area', 'direction_indicator',
                  'direction_unit', 'direction'):
        op.drop_table(table)
