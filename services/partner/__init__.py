"""The partner API's domain: apps and keys, assertion tokens, notifications, status, callbacks, events.

Partner apps are agency systems and agency app back ends: they authenticate with signed assertions (no shared
secrets), message the residents of their own agency's cases through the same outbox and dispatcher as every
other message, learn each message's fate by status and signed callbacks, and post case changes.
"""
