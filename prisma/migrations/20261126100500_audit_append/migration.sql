-- Appends audit events to the hash chain in one statement (one round trip), so the chain lock
-- is held for as little time as possible. The application computes each event's canonical
-- JSON (server/modules/audit/hash-chain.ts: canonicalFieldsJson, which does not depend on
-- the previous hash); this function takes the chain lock, reads the last hash, and links
-- the events: hash = hex(SHA-256(previous hash || '\n' || canonical JSON)), byte for byte
-- the chainHash() the verifier recomputes. Each statement of a plpgsql function takes a
-- fresh snapshot under READ COMMITTED, so the last hash read after the lock is the newest
-- committed one: the chain cannot fork.
CREATE FUNCTION audit_append(events jsonb) RETURNS integer AS $$
DECLARE
  prev text;
  e jsonb;
  h text;
  n integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(7321004117);
  SELECT "hash" INTO prev FROM "AuditEvent" ORDER BY id DESC LIMIT 1;
  prev := coalesce(prev, repeat('0', 64));
  FOR e IN SELECT value FROM jsonb_array_elements(events) LOOP
    h := encode(sha256(convert_to(prev || E'\n' || (e->>'canonical'), 'UTF8')), 'hex');
    INSERT INTO "AuditEvent" ("at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId",
                              "environmentId", "ip", "userAgent", "outcome", "summary", "prevHash", "hash")
    VALUES ((e->>'at')::timestamptz, (e->>'actorType')::"ActorType", e->>'actorId', e->>'actorLabel', e->>'action',
            e->>'targetType', e->>'targetId', e->>'environmentId', e->>'ip', e->>'userAgent', e->>'outcome',
            NULLIF(e->'summary', 'null'::jsonb), prev, h);
    prev := h;
    n := n + 1;
  END LOOP;
  RETURN n;
END;
$$ LANGUAGE plpgsql;
