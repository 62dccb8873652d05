"""Outgoing email: the outbox table, its delivery with retries, and the worker loop.

``outbox`` enqueues and delivers messages, ``failures`` tells temporary SMTP
errors from permanent ones, ``worker`` runs delivery passes until stopped and
``report`` summarises the table for ``flask mail status``.
"""
