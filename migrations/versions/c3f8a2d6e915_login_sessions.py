"""accounts: a row per signed-in browser (revocable logins); the count-then-write login throttle goes

Revision ID: c3f8a2d6e915
Revises: b7e2d5a91c04
Create Date: 2026-11-23 07:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3f8a2d6e915'
down_revision = 'b7e2d5a91c04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash')),
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'], unique=False)
    op.drop_index('ix_failed_logins_email_at', table_name='failed_logins')
    op.drop_table('failed_logins')


def downgrade():
    op.create_table(
        'failed_logins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=True),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_logins')),
    )
    op.create_index('ix_failed_logins_email_at', 'failed_logins', ['email', 'attempted_at'], unique=False)
    op.drop_index(op.f('ix_login_sessions_user_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
