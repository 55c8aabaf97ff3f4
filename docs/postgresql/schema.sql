-- hookpipe on PostgreSQL: schema migration 1.
--
-- The daemon applies this file itself (Sources/HookpipePostgres/PostgresSchema.swift
-- holds the same text; HookpipePostgresTests checks that the two agree) inside
-- one transaction that first takes pg_advisory_xact_lock(hookpipe's lock id)
-- and records version 1 in hookpipe.schema_migrations. Statements are split
-- at lines ending in ";" outside $$ bodies. proof/pg_design.sh loads the same
-- file into a throwaway PostgreSQL and checks the behaviour that
-- docs/ARCHITECTURE.md ("PostgreSQL backend and the chain lease") relies on.
-- Needs PostgreSQL 13 or later (xid8, pg_current_xact_id, pg_snapshot_xmin).

-- The journal. `id` is a storage id: unique, increasing in the order one
-- batch gives, but neither dense nor in commit order (ids are taken from a
-- sequence before the transaction commits). `tx` is the 64-bit id of the
-- transaction that wrote the row; the sequencer uses it to know when every
-- transaction that could still add rows below some point has finished.
CREATE SEQUENCE hookpipe.events_id_seq AS bigint;
CREATE TABLE hookpipe.events (
    id          bigint PRIMARY KEY,
    tx          xid8   NOT NULL DEFAULT pg_current_xact_id(),
    source      text   NOT NULL,
    dedupe_key  text   NOT NULL,
    received_at bigint NOT NULL,          -- µs since the Unix epoch, the receiving node's clock (informational)
    metadata    bytea  NOT NULL,
    payload     bytea  NOT NULL
);
ALTER SEQUENCE hookpipe.events_id_seq OWNED BY hookpipe.events.id;
-- The sequencer's cursor walks this index.
CREATE INDEX events_tx_id ON hookpipe.events (tx, id);

-- The chain's order: dense, gap-free `seq`, written only by the chain holder
-- (the sequencer) under its lease. Rows appear in seq order, one committed
-- sweep after another, so a reader that saw seq N never later finds a new
-- row at or below N.
CREATE TABLE hookpipe.event_seq (
    seq      bigint PRIMARY KEY,
    event_id bigint NOT NULL UNIQUE     -- no foreign key: its per-row check doubled the sweep's cost
);                                       -- (proof/pg_design.sh, g); prune deletes both rows itself

-- One row per (source, key) while its window lasts; the primary key makes
-- concurrent claims of one key from several nodes wait for each other.
CREATE TABLE hookpipe.dedupe (
    source     text        NOT NULL,
    key        text        NOT NULL,
    event_id   bigint      NOT NULL,    -- no foreign key: events are pruned before their keys expire
    expires_at timestamptz NOT NULL,    -- the database's clock
    PRIMARY KEY (source, key)
);
CREATE INDEX dedupe_expiry ON hookpipe.dedupe (expires_at);

-- The chain lease and the sequencer's state, one row. A logged table (River's
-- river_leader is UNLOGGED: emptied by a crash and not replicated, which a
-- fencing epoch cannot survive). `epoch` only ever grows: +1 per takeover.
CREATE TABLE hookpipe.chain_lease (
    name        text PRIMARY KEY CHECK (name = 'chain'),
    holder      text,                   -- node instance id: host/pid/start time, unique per process start
    epoch       bigint      NOT NULL DEFAULT 0,
    acquired_at timestamptz,
    renewed_at  timestamptz,
    expires_at  timestamptz NOT NULL DEFAULT '-infinity',
    last_seq    bigint      NOT NULL DEFAULT 0,     -- highest seq assigned
    seq_tx      xid8        NOT NULL DEFAULT '0',   -- sequencer cursor: (tx, id) of the last event sequenced
    seq_id      bigint      NOT NULL DEFAULT 0
);
INSERT INTO hookpipe.chain_lease (name) VALUES ('chain');

CREATE TABLE hookpipe.checkpoints (
    consumer text        PRIMARY KEY,
    seq      bigint      NOT NULL,
    epoch    bigint      NOT NULL,      -- the lease epoch that wrote it
    saved_at timestamptz NOT NULL
);

CREATE TABLE hookpipe.dead_letters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq         bigint NOT NULL,
    stage       text   NOT NULL,
    reason      text   NOT NULL,
    stderr_tail text   NOT NULL,
    line        bytea  NOT NULL,
    created_at  bigint NOT NULL,
    epoch       bigint NOT NULL,
    UNIQUE (seq, stage)                 -- a retried write whose outcome was unknown lands once
);

-- Every node's heartbeat, for `hookpipe status` and /metrics (not fenced).
CREATE TABLE hookpipe.nodes (
    node_id    text PRIMARY KEY,
    address    text        NOT NULL,
    started_at timestamptz NOT NULL,
    seen_at    timestamptz NOT NULL
);

-- One group-commit batch from one receiving node, in one statement (so one
-- round trip and, called outside BEGIN, one implicit transaction). Returns
-- per input position whether it was stored and the storage id it refers to
-- (its own, or the earlier event's for a duplicate). A key also claimed by a
-- transaction still running on another node makes this call wait for that
-- transaction: committed, this one is a duplicate; rolled back, this one is
-- stored. A key repeated inside the batch is stored once (first position).
-- `seq` is the earlier event's seq for a duplicate that was already
-- sequenced, else NULL (a new event gets its seq from the sequencer later).
CREATE FUNCTION hookpipe.append_batch(
    p_source text[], p_key text[], p_received_at bigint[], p_window_us bigint[],
    p_metadata bytea[], p_payload bytea[])
RETURNS TABLE (ord integer, stored boolean, event_id bigint, seq bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    n   integer := coalesce(array_length(p_source, 1), 0);
    ids bigint[];
    stored_ids bigint[];
BEGIN
    -- Storage ids in batch order (the sequencer orders a transaction's rows by id).
    ids := ARRAY(SELECT nextval('hookpipe.events_id_seq') FROM generate_series(1, n) ORDER BY 1);
    WITH input AS (
        SELECT DISTINCT ON (p_source[i], p_key[i])
               i, p_source[i] AS source, p_key[i] AS key, ids[i] AS id
        FROM generate_series(1, n) AS i
        ORDER BY p_source[i], p_key[i], i
    ), claimed AS (
        INSERT INTO hookpipe.dedupe AS d (source, key, event_id, expires_at)
        SELECT source, key, id, now() + p_window_us[i] * interval '1 microsecond' FROM input
        ON CONFLICT (source, key) DO UPDATE
            SET event_id = excluded.event_id, expires_at = excluded.expires_at
            WHERE d.expires_at <= now()             -- an expired key may be claimed again
        RETURNING d.event_id
    ), inserted AS (
        INSERT INTO hookpipe.events (id, source, dedupe_key, received_at, metadata, payload)
        SELECT input.id, input.source, input.key, p_received_at[input.i], p_metadata[input.i], p_payload[input.i]
        FROM input JOIN claimed ON claimed.event_id = input.id
        RETURNING id
    )
    SELECT coalesce(array_agg(id), '{}') INTO stored_ids FROM inserted;
    -- A new statement, so a new snapshot: a key that another transaction
    -- committed while this one waited for it is visible here.
    RETURN QUERY
    SELECT i, ids[i] = ANY (stored_ids), d.event_id, s.seq
    FROM generate_series(1, n) AS i
    LEFT JOIN hookpipe.dedupe d ON d.source = p_source[i] AND d.key = p_key[i]
    LEFT JOIN hookpipe.event_seq s ON s.event_id = d.event_id AND NOT (ids[i] = ANY (stored_ids))
    ORDER BY i;
END;
$$;

-- One sweep of the sequencer, run only by the chain holder: gives the next
-- dense seq numbers to events whose transactions (and every transaction
-- that could still add rows before them) have finished, in (tx, id) order.
-- Fenced: `held` is false, and nothing is written, unless (p_holder,
-- p_epoch) still holds the lease. Does no write (takes no transaction id,
-- flushes no WAL) when there is nothing to sequence.
CREATE FUNCTION hookpipe.sequence_events(p_holder text, p_epoch bigint, p_max integer)
RETURNS TABLE (held boolean, sequenced bigint, last_seq bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    -- First, before this transaction has an xid of its own (which would hold
    -- its own horizon back): every transaction with tx < horizon has ended,
    -- and no transaction can start with tx < horizon any more.
    horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
    lease   hookpipe.chain_lease;
    n       bigint;
BEGIN
    SELECT * INTO lease FROM hookpipe.chain_lease l
    WHERE l.name = 'chain' AND l.holder = p_holder AND l.epoch = p_epoch;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 0::bigint, NULL::bigint; RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM hookpipe.events e
                   WHERE (e.tx, e.id) > (lease.seq_tx, lease.seq_id) AND e.tx < horizon) THEN
        RETURN QUERY SELECT true, 0::bigint, lease.last_seq; RETURN;
    END IF;
    -- The fence: lock the lease row as its holder. A takeover committed
    -- meanwhile changed epoch/holder, so this finds no row.
    SELECT * INTO lease FROM hookpipe.chain_lease l
    WHERE l.name = 'chain' AND l.holder = p_holder AND l.epoch = p_epoch
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 0::bigint, NULL::bigint; RETURN;
    END IF;
    WITH batch AS (
        SELECT e.tx, e.id FROM hookpipe.events e
        WHERE (e.tx, e.id) > (lease.seq_tx, lease.seq_id) AND e.tx < horizon
        ORDER BY e.tx, e.id
        LIMIT p_max
    ), numbered AS (
        SELECT tx, id, lease.last_seq + row_number() OVER (ORDER BY tx, id) AS seq FROM batch
    ), ins AS (
        INSERT INTO hookpipe.event_seq (seq, event_id) SELECT seq, id FROM numbered
        RETURNING seq
    )
    UPDATE hookpipe.chain_lease l
    SET last_seq = tail.seq, seq_tx = tail.tx, seq_id = tail.id
    FROM (SELECT tx, id, seq FROM numbered ORDER BY seq DESC LIMIT 1) AS tail
    WHERE l.name = 'chain' AND (SELECT count(*) FROM ins) = tail.seq - lease.last_seq;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> 1 THEN
        RAISE EXCEPTION 'sequencer: inserted rows and cursor disagree';
    END IF;
    RETURN QUERY SELECT true, l.last_seq - lease.last_seq, l.last_seq
                 FROM hookpipe.chain_lease l WHERE l.name = 'chain';
END;
$$;
