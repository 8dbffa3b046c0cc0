-- Request recovery (issue 17): a failed request is retried after a backoff, a run's failed ads are
-- part of its outcome, and a dead letter's reason is kept where the product can read it.

-- 'retrying': an attempt failed and the next one is scheduled (requests.next_attempt_at); the
-- requester sees this status and the failed attempt's reason, and one notification at the end.
ALTER TABLE requests DROP CONSTRAINT requests_status_check;
ALTER TABLE requests ADD CONSTRAINT requests_status_check
    CHECK (status IN ('received', 'queued', 'running', 'retrying', 'succeeded', 'failed'));
-- retries: how many times the request was sent again after a failure, which is also the attempt
-- its current message and run carry (run keys are made of the request id and the attempt)
ALTER TABLE requests ADD COLUMN retries integer NOT NULL DEFAULT 0 CHECK (retries >= 0);
ALTER TABLE requests ADD COLUMN next_attempt_at timestamptz;
-- per stage of the run: {"describe": {"failed": 2, "reasons": {"media_too_large": 2}}}
ALTER TABLE requests ADD COLUMN failed_ads jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE notifications ADD COLUMN failed_ads jsonb NOT NULL DEFAULT '{}'::jsonb;

-- A pending outbox row is not published before available_at (a retry's backoff); NULL: at once.
ALTER TABLE outbox ADD COLUMN available_at timestamptz;
-- a request's row is found by its request: a retry re-queues it, the lost-message check joins it
CREATE INDEX outbox_by_request ON outbox (request_id);

-- Messages moved to a dead-letter queue, with why: by the consumer (malformed, unknown brand) or
-- by SQS's redrive (received max_receives times without being deleted), recorded when replayed.
CREATE TABLE dead_letters (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue          text NOT NULL,  -- the queue the message was taken from, not its dead-letter queue
    message_id     text NOT NULL,  -- its SQS message id on that queue
    body           text NOT NULL,
    reason         text NOT NULL,
    moved_by       text NOT NULL CHECK (moved_by IN ('consumer', 'sqs')),
    request_id     text,           -- when the body names one (refresh batches have non-UUID ids)
    receive_count  integer,
    at             timestamptz NOT NULL DEFAULT now(),
    replayed_at    timestamptz,
    UNIQUE (queue, message_id)
);
-- a request whose message is parked is not "lost": the lost-message recovery skips it
CREATE INDEX dead_letters_parked ON dead_letters (request_id) WHERE replayed_at IS NULL;
