"""messages keep template params instead of final push text: the lock screen is rendered at send time

Revision ID: 0009_send_time_rendering
Revises: 0008_idempotency_keys
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
down_revision = '0008_idempotency_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects (SQLite has DROP COLUMN since 3.35): batch mode would rebuild the table,
    # and on SQLite dropping the old copy cascades to push_deliveries, deleting every delivery of every message.
    op.add_column('notification_messages', sa.Column('params', sa.JSON(), nullable=True))
    op.execute('ALTER TABLE notification_messages DROP COLUMN push_body')
    op.execute('ALTER TABLE notification_messages DROP COLUMN push_title')


def downgrade() -> None:
    # Server defaults stay on downgrade: removing them would rebuild the table on SQLite (see upgrade).
    op.add_column(
        'notification_messages',
        sa.Column('push_title', sa.String(length=300), nullable=False, server_default='Benefits update'),
    )
    op.add_column(
        'notification_messages',
        sa.Column('push_body', sa.Text(), nullable=False, server_default='You have an update about your benefits'),
    )
    op.execute('ALTER TABLE notification_messages DROP COLUMN params')
