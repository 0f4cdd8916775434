"""benefit sources remember the platform time of the picture they hold, so an older view never replaces it

Revision ID: 0010_view_order
Revises: 0009_send_time_rendering
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.db


revision = '0010_view_order'
down_revision = '0009_send_time_rendering'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('benefit_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('view_at', services.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('view_exact', sa.Boolean(), server_default=sa.false(), nullable=False))
    # the newest applied event is the best known moment of the stored picture (pulls recorded none)
    op.execute("UPDATE benefit_sources SET view_at = last_event_at WHERE last_event_at IS NOT NULL")
    with op.batch_alter_table('benefit_sources', schema=None) as batch_op:
        batch_op.drop_column('last_event_at')


def downgrade() -> None:
    with op.batch_alter_table('benefit_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_event_at', services.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('benefit_sources', schema=None) as batch_op:
        batch_op.drop_column('view_exact')
        batch_op.drop_column('view_at')
