"""Requests for analysis and refresh, from the customer's click to the notification at the run's end.

- :mod:`~adology.requests.messages`: the SQS message schema (:class:`RequestMessage`, :func:`parse_message`);
- :mod:`~adology.requests.outbox`: :func:`record_request` (request + outbox row in one transaction),
  :func:`relay_outbox`, :func:`republish_stuck`;
- :mod:`~adology.requests.lifecycle`: :func:`mark_request`, :func:`get_request`;
- :mod:`~adology.requests.dead_letters`: :func:`dead_letter`, :func:`replay_dlq`;
- :mod:`~adology.requests.spine`: :func:`due_brands`, :func:`enqueue_refresh` (the background refresh);
- :mod:`~adology.requests.notifications`: :func:`record_notification` (row + Postgres NOTIFY).
"""
