"""holds: the offered price snapshot, one open hold per person per hub, and the installation id

Revision ID: a9c4e1f20b37
Revises: d01ee22d6a8f
Create Date: 2026-11-23 07:40:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'a9c4e1f20b37'
down_revision = 'd01ee22d6a8f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seat_holds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_ref', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('price_minor', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('interval', sa.String(length=10), nullable=True))
    # Holds made before this revision were offered their plan's price: snapshot it.
    op.execute("""UPDATE seat_holds SET
        price_minor = (SELECT price_minor FROM plans WHERE plans.id = seat_holds.plan_id),
        interval = (SELECT interval FROM plans WHERE plans.id = seat_holds.plan_id),
        currency = (SELECT currency FROM hubs WHERE hubs.id = seat_holds.hub_id),
        price_ref = (SELECT COALESCE(stripe_price_id, 'price_local_' || plans.id) FROM plans
                     WHERE plans.id = seat_holds.plan_id)""")
    # Double-clicked joins left some people two open holds: keep the newest, free the others' seats.
    extra = ("seat_holds.status = 'held' AND seat_holds.id NOT IN "
             "(SELECT MAX(id) FROM seat_holds WHERE status = 'held' GROUP BY hub_id, user_id)")
    op.execute(f"""UPDATE hubs SET seats_taken = seats_taken - (SELECT COUNT(*) FROM seat_holds
                   WHERE seat_holds.hub_id = hubs.id AND {extra})""")
    op.execute(f"UPDATE seat_holds SET status = 'released', released_at = CURRENT_TIMESTAMP WHERE {extra}")
    op.create_index('uq_seat_holds_open_per_person', 'seat_holds', ['hub_id', 'user_id'], unique=True,
                    sqlite_where=sa.text("status = 'held'"), postgresql_where=sa.text("status = 'held'"))
    installation = op.create_table(
        'installation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_installation')),
        sa.UniqueConstraint('key', name=op.f('uq_installation_key')),
    )
    op.bulk_insert(installation, [{'id': 1, 'key': secrets.token_hex(8)}])


def downgrade():
    op.drop_table('installation')
    op.drop_index('uq_seat_holds_open_per_person', table_name='seat_holds',
                  sqlite_where=sa.text("status = 'held'"), postgresql_where=sa.text("status = 'held'"))
    with op.batch_alter_table('seat_holds', schema=None) as batch_op:
        batch_op.drop_column('interval')
        batch_op.drop_column('currency')
        batch_op.drop_column('price_minor')
        batch_op.drop_column('price_ref')
