-- Inquire: conversations and their answers, private to an organization, with what each answer cost.
CREATE TABLE inquire_conversations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    brandspace_id    uuid NOT NULL REFERENCES brandspaces (id) ON DELETE CASCADE,
    user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    title            text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inquire_conversations_listing ON inquire_conversations (brandspace_id, created_at, id);

CREATE TABLE inquire_messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id   uuid NOT NULL REFERENCES inquire_conversations (id) ON DELETE CASCADE,
    organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    question          text NOT NULL,
    answer            jsonb NOT NULL,   -- the checked answer as the API returns it
    plan              jsonb NOT NULL,   -- what the question was read as; a follow-up starts from it
    routine_version   text NOT NULL,
    calls             integer NOT NULL DEFAULT 0,
    input_tokens      integer NOT NULL DEFAULT 0,
    output_tokens     integer NOT NULL DEFAULT 0,
    cost_usd          numeric(12, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inquire_messages_conversation ON inquire_messages (conversation_id, id);
-- the month's spend of an organization, summed before each answer
CREATE INDEX inquire_messages_spend ON inquire_messages (organization_id, created_at);

-- what an organization may spend on Inquire's AI per calendar month (UTC); 0 turns Inquire off
ALTER TABLE organizations ADD COLUMN inquire_budget_usd numeric(12, 2) NOT NULL DEFAULT 25
    CHECK (inquire_budget_usd >= 0);
CREATE TRIGGER inquire_conversations_touch BEFORE UPDATE ON inquire_conversations FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
