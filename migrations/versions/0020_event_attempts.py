"""event attempts: a failing inbox event counts its attempts, backs off, and is set aside after the last

Revision ID: 0020_event_attempts
Revises: 0019_event_intake
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.db

revision = "0020_event_attempts"
down_revision = "0019_event_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("platform_event_inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_attempt_at", services.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("set_aside_at", services.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_platform_event_inbox_record", ["agency", "record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("platform_event_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_platform_event_inbox_record")
        batch_op.drop_column("last_error")
        batch_op.drop_column("set_aside_at")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
