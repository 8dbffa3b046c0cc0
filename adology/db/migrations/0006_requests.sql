-- Requests, the transactional outbox and notifications (ARCHITECTURE §7).
CREATE TABLE requests (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid REFERENCES organizations (id) ON DELETE SET NULL,
    user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    brand_id         bigint REFERENCES brands (id) ON DELETE CASCADE,
    brandspace_id    uuid REFERENCES brandspaces (id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('analyze', 'refresh', 'report')),
    priority         text NOT NULL CHECK (priority IN ('high', 'low')),
    assets           text[] NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'received'
                     CHECK (status IN ('received', 'queued', 'running', 'succeeded', 'failed')),
    run_id           text,
    failure_reason   text,
    attempts         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (brand_id IS NOT NULL OR brandspace_id IS NOT NULL)
);
CREATE INDEX requests_open ON requests (status, updated_at) WHERE status IN ('received', 'queued', 'running');

CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    queue       text NOT NULL CHECK (queue IN ('high', 'low')),
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE sent_at IS NULL;

CREATE TABLE notifications (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id       uuid REFERENCES requests (id) ON DELETE CASCADE,
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          uuid REFERENCES users (id) ON DELETE CASCADE,
    brand_id         bigint REFERENCES brands (id) ON DELETE CASCADE,
    run_id           text,
    status           text NOT NULL CHECK (status IN ('succeeded', 'failed')),
    counts           jsonb NOT NULL DEFAULT '{}'::jsonb,
    failure_reason   text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    read_at          timestamptz,
    UNIQUE (request_id, run_id)
);
CREATE INDEX notifications_inbox ON notifications (organization_id, created_at DESC);

CREATE TRIGGER requests_touch BEFORE UPDATE ON requests FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
