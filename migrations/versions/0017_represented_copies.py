"""represented copies: a representative's copies of the person's messages, and uploads a representative sent

Revision ID: 0017_represented_copies
Revises: 0016_representatives
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_represented_copies"
down_revision = "0016_representatives"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_messages") as batch:
        batch.add_column(sa.Column("designation_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("document_uploads") as batch:
        batch.add_column(sa.Column("uploaded_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document_uploads") as batch:
        batch.drop_column("uploaded_by")
    with op.batch_alter_table("notification_messages") as batch:
        batch.drop_column("designation_id")
