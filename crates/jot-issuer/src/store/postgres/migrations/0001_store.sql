-- jot's issuer store, version 1. Each record is a JSON document (`record`) beside
-- the columns the store looks it up or compares by. Times are seconds since the
-- Unix epoch, passed in by the issuer (the database clock is never read).

-- Signing keys. The private key (PKCS#8 PEM) is kept only while the key is current;
-- at most one key is current, which makes the rotation compare-and-set safe.
CREATE TABLE jot_keys (
    kid         text PRIMARY KEY,
    created_at  bigint NOT NULL,
    retired_at  bigint,
    private_pem text,
    record      jsonb NOT NULL
);
CREATE UNIQUE INDEX jot_keys_one_current ON jot_keys ((true))
    WHERE retired_at IS NULL AND private_pem IS NOT NULL;

CREATE TABLE jot_clients (
    client_id text PRIMARY KEY,
    record    jsonb NOT NULL
);

-- Refresh tokens by SHA-256 of the token; `used_at` is set once, by one caller.
CREATE TABLE jot_refresh (
    token_hash text PRIMARY KEY,
    family     text NOT NULL,
    subject    text NOT NULL,
    sid        text,
    expires_at bigint NOT NULL,
    used_at    bigint,
    record     jsonb NOT NULL
);
CREATE INDEX jot_refresh_family ON jot_refresh (family);
CREATE INDEX jot_refresh_subject ON jot_refresh (subject);
CREATE INDEX jot_refresh_sid ON jot_refresh (sid) WHERE sid IS NOT NULL;
CREATE INDEX jot_refresh_expires ON jot_refresh (expires_at);

-- Revoked refresh-token families, until every token of theirs has expired.
CREATE TABLE jot_families (
    family        text PRIMARY KEY,
    revoked_until bigint NOT NULL
);
CREATE INDEX jot_families_until ON jot_families (revoked_until);

-- Revoked access tokens by `jti`, until their `exp`.
CREATE TABLE jot_revoked (
    jti text PRIMARY KEY,
    exp bigint NOT NULL
);
CREATE INDEX jot_revoked_exp ON jot_revoked (exp);

-- Users; `username_key` is the username in Unicode lowercase (unique).
CREATE TABLE jot_users (
    sub          text PRIMARY KEY,
    username_key text NOT NULL UNIQUE,
    record       jsonb NOT NULL
);

-- Login sessions by SHA-256 of the cookie.
CREATE TABLE jot_sessions (
    id_hash    text PRIMARY KEY,
    sub        text NOT NULL,
    expires_at bigint NOT NULL,
    record     jsonb NOT NULL
);
CREATE INDEX jot_sessions_sub ON jot_sessions (sub);
CREATE INDEX jot_sessions_expires ON jot_sessions (expires_at);

-- Authorization codes by SHA-256 of the code; `issued` is set once, by one caller.
CREATE TABLE jot_codes (
    code_hash  text PRIMARY KEY,
    expires_at bigint NOT NULL,
    issued     jsonb,
    record     jsonb NOT NULL
);
CREATE INDEX jot_codes_expires ON jot_codes (expires_at);

CREATE TABLE jot_consents (
    sub       text NOT NULL,
    client_id text NOT NULL,
    record    jsonb NOT NULL,
    PRIMARY KEY (sub, client_id)
);

-- Authorization requests waiting for the user.
CREATE TABLE jot_pending (
    id         text PRIMARY KEY,
    expires_at bigint NOT NULL,
    record     jsonb NOT NULL
);
CREATE INDEX jot_pending_expires ON jot_pending (expires_at);
