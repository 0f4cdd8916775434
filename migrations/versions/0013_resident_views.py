"""resident views: what each resident sees in each language, rendered when it changes

Revision ID: 0013_resident_views
Revises: 0012_partner_api
Create Date: 2026-12-02 01:40:00.000000

Existing residents have no row: their first read renders it (services.benefits.documents).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.db


revision = '0013_resident_views'
down_revision = '0012_partner_api'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resident_views',
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('version', sa.String(length=48), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('rendered_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_resident_views_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resident_id', 'locale', name=op.f('pk_resident_views'))
    )


def downgrade() -> None:
    op.drop_table('resident_views')
