"""Requests for analysis and refresh, from the customer's click to the notification at the run's end.

- :mod:`~adology.requests.messages`: the SQS message schema (:class:`RequestMessage`, :func:`parse_message`)
  and the run key of a request's attempt (:func:`run_key`);
- :mod:`~adology.requests.outbox`: :func:`record_request` (request + outbox row in one transaction),
  :func:`relay_outbox`, :func:`republish_lost` (a lost message found from its queue and its run);
- :mod:`~adology.requests.lifecycle`: :func:`mark_request`, :func:`settle_failure` (retry with
  backoff, or failed for good), :func:`get_request`;
- :mod:`~adology.requests.dead_letters`: :func:`dead_letter`, :func:`replay_dlq` (reasons in ``dead_letters``);
- :mod:`~adology.requests.spine`: :func:`due_brands`, :func:`enqueue_refresh` (the background refresh);
- :mod:`~adology.requests.notifications`: :func:`record_notification` (row + Postgres NOTIFY),
  :func:`brand_counts`, :func:`run_failed_ads`.
"""
