-- jot's issuer store, version 2: the next signing key, published before it signs.
-- A next key (`next`) has its private key and no `retired_at`; it is promoted to
-- current (`next = false`, `promoted_at` set) once verifiers can have fetched it.
-- At most one key is current and at most one is next. `private_pem` holds the key
-- as the issuer stores it: a PKCS#8 PEM, or one sealed with a key-encryption key.
ALTER TABLE jot_keys ADD COLUMN next boolean NOT NULL DEFAULT false;
ALTER TABLE jot_keys ADD COLUMN promoted_at bigint;
DROP INDEX jot_keys_one_current;
CREATE UNIQUE INDEX jot_keys_one_current ON jot_keys ((true))
    WHERE retired_at IS NULL AND private_pem IS NOT NULL AND NOT next;
CREATE UNIQUE INDEX jot_keys_one_next ON jot_keys ((true)) WHERE next;
