-- jot's issuer store, version 3: ids used once (the digests of accepted DPoP
-- proofs' `jti`), kept until the proof could no longer be accepted, so that every
-- instance refuses a replay.
CREATE TABLE jot_used (
    id    text PRIMARY KEY,
    until bigint NOT NULL
);
CREATE INDEX jot_used_until ON jot_used (until);
