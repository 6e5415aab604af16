"""payment events: an explicit outcome (pending, processed, ignored, dead) and the next retry time; outbox: failed_at

Revision ID: b7e2d5a91c04
Revises: a9c4e1f20b37
Create Date: 2026-11-23 07:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e2d5a91c04'
down_revision = 'a9c4e1f20b37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payment_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_payment_events_status_next', ['status', 'next_attempt_at'])
    op.execute("UPDATE payment_events SET status = 'processed' WHERE processed_at IS NOT NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
    with op.batch_alter_table('payment_events', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_events_status_next')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('status')
