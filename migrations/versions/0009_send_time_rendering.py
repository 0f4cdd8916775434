"""messages keep template params instead of final push text: the lock screen is rendered at send time

Revision ID: 0009_send_time_rendering
Revises: 0006_reconcile_index
Create Date: 2026-12-01 22:00:00.000000

Messages written before this migration have ``params`` NULL: the send-time renderer gives them the private
lock-screen text (it needs no parameters), whatever the resident's previews setting, because their raw values
were never kept. Downgrading writes that same private text back into ``push_title``/``push_body``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.db


revision = '0009_send_time_rendering'
down_revision = '0006_reconcile_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.drop_column('push_body')
        batch_op.drop_column('push_title')


def downgrade() -> None:
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('push_title', sa.String(length=300), nullable=False, server_default='Benefits update')
        )
        batch_op.add_column(
            sa.Column('push_body', sa.Text(), nullable=False, server_default='You have an update about your benefits')
        )
        batch_op.drop_column('params')
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.alter_column('push_title', server_default=None)
        batch_op.alter_column('push_body', server_default=None)
