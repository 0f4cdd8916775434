"""push send claims: a lease per claimed batch that its live sender renews

Revision ID: 0011_push_send_claims
Revises: 0010_view_order
Create Date: 2026-12-01 22:05:00.000000

Deliveries left ``sending`` by workers of the previous release have no claim row: the next sender takes them
back once their ``claimed_at`` is older than the new lease (``notifications.delivery.SENDING_LEASE``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.db


revision = '0011_push_send_claims'
down_revision = '0010_view_order'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_send_claims',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('claimed_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('renewed_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_push_send_claims'))
    )
    with op.batch_alter_table('push_send_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_send_claims_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('push_send_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_send_claims_expires_at'))
    op.drop_table('push_send_claims')
