"""partner apps, notifications, recipients and callbacks

Revision ID: 0012_partner_api
Revises: 0011_push_send_claims
Create Date: 2026-12-02 01:11:51.646386

Partner apps (an ``app_clients`` row of kind ``partner`` plus keys, scopes and callback), the notifications they
send, each recipient's outcome, and the signed callbacks queued for them. New tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import services.db


revision = '0012_partner_api'
down_revision = '0011_push_send_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner_apps',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('jwks', sa.JSON(), nullable=True),
    sa.Column('jwks_url', sa.String(length=2000), nullable=True),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('callback_url', sa.String(length=2000), nullable=True),
    sa.Column('callback_secret_encrypted', sa.String(length=500), nullable=True),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('keys_updated_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['app_clients.client_id'], name=op.f('fk_partner_apps_client_id_app_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_partner_apps'))
    )
    with op.batch_alter_table('partner_apps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_apps_agency'), ['agency'], unique=False)

    op.create_table('partner_notifications',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('agency', sa.String(length=8), nullable=False),
    sa.Column('case_key', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=True),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['partner_apps.client_id'], name=op.f('fk_partner_notifications_client_id_partner_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_notifications'))
    )
    with op.batch_alter_table('partner_notifications', schema=None) as batch_op:
        batch_op.create_index('ix_partner_notifications_app', ['client_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_partner_notifications_reference', ['client_id', 'reference'], unique=False)

    op.create_table('partner_callbacks',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('notification_id', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', services.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['partner_apps.client_id'], name=op.f('fk_partner_callbacks_client_id_partner_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['partner_notifications.id'], name=op.f('fk_partner_callbacks_notification_id_partner_notifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_callbacks'))
    )
    with op.batch_alter_table('partner_callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_callbacks_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_partner_callbacks_due', ['state', 'next_attempt_at'], unique=False)

    op.create_table('partner_recipients',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('notification_id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=32), nullable=True),
    sa.Column('decided_at', services.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['partner_notifications.id'], name=op.f('fk_partner_recipients_notification_id_partner_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_partner_recipients_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_recipients')),
    sa.UniqueConstraint('notification_id', 'resident_id', name=op.f('uq_partner_recipients_notification_id_resident_id'))
    )
    with op.batch_alter_table('partner_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_recipients_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_recipients_resident_id'), ['resident_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('partner_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_recipients_resident_id'))
        batch_op.drop_index(batch_op.f('ix_partner_recipients_message_id'))

    op.drop_table('partner_recipients')
    with op.batch_alter_table('partner_callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_callbacks_due')
        batch_op.drop_index(batch_op.f('ix_partner_callbacks_client_id'))

    op.drop_table('partner_callbacks')
    with op.batch_alter_table('partner_notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_notifications_reference')
        batch_op.drop_index('ix_partner_notifications_app')

    op.drop_table('partner_notifications')
    with op.batch_alter_table('partner_apps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_apps_agency'))

    op.drop_table('partner_apps')
