"""access control: users, sessions, sign-in throttle, append-only audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:00:00

The audit log is append-only in the database itself: triggers refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL), whoever connects. A trigger on ``submission`` records every submission
(API, upload page, CLI; not the demo seed or the benchmark) in the audit log, whatever code path
wrote it.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER submission_audit AFTER INSERT ON submission
       WHEN NEW.channel NOT IN ('seed', 'bench')
       BEGIN
         INSERT INTO audit_log (at, actor, role, action, target, detail, ip)
         VALUES (NEW.received_at, COALESCE(NEW.submitted_by, ''), NULL, 'submission.' || NEW.status,
                 'submission:' || NEW.id,
                 json_object('unit', (SELECT code FROM agency WHERE id = NEW.agency_id), 'channel', NEW.channel,
                             'filename', NEW.filename, 'sha256', NEW.sha256),
                 NULL);
       END""",
]

_PG_TRIGGERS = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE FUNCTION submission_audit() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.channel NOT IN ('seed', 'bench') THEN
           INSERT INTO audit_log (at, actor, role, action, target, detail, ip)
           VALUES (NEW.received_at, COALESCE(NEW.submitted_by, ''), NULL, 'submission.' || NEW.status,
                   'submission:' || NEW.id,
                   json_build_object('unit', (SELECT code FROM agency WHERE id = NEW.agency_id),
                                     'channel', NEW.channel, 'filename', NEW.filename, 'sha256', NEW.sha256)::text,
                   NULL);
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER submission_audit AFTER INSERT ON submission
       FOR EACH ROW EXECUTE FUNCTION submission_audit()""",
]


def upgrade() -> None:
    op.create_table(
        'app_user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.Text(), nullable=False),
        sa.Column('role', sa.String(length=12), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        sa.Column('password_hash', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('demo', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('password_changed_at', sa.DateTime(), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_app_user_agency_id_agency')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
        sa.UniqueConstraint('username', name=op.f('uq_app_user_username')),
    )
    op.create_table(
        'user_session',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_session_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    )
    op.create_index('ix_user_session_user_id', 'user_session', ['user_id'], unique=False)
    op.create_table(
        'auth_throttle',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_auth_throttle')),
    )
    op.create_table(
        'audit_log',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.Text(), nullable=False),
        sa.Column('role', sa.String(length=12), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('target', sa.Text(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'], unique=False)
    op.create_index('ix_audit_log_actor', 'audit_log', ['actor'], unique=False)
    op.create_index('ix_audit_log_action', 'audit_log', ['action'], unique=False)
    statements = _PG_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS submission_audit ON submission')
        op.execute('DROP FUNCTION IF EXISTS submission_audit()')
    else:
        op.execute('DROP TRIGGER IF EXISTS submission_audit')
    op.drop_index('ix_audit_log_action', table_name='audit_log')
    op.drop_index('ix_audit_log_actor', table_name='audit_log')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_table('audit_log')  # its own triggers go with it
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS audit_log_append_only()')
    op.drop_table('auth_throttle')
    op.drop_index('ix_user_session_user_id', table_name='user_session')
    op.drop_table('user_session')
    op.drop_table('app_user')
