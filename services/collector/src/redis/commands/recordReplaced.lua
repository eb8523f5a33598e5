-- A finished call's record is replaced by another text of it — its caller number removed past
-- PHONE_RETENTION_DAYS, or a rebuild's new rules stamp — only if it is still the text that was
-- read (a record rewritten meanwhile is left for the next pass). The bucket's expiry stays.
-- KEYS: the record's hour bucket. ARGV: linkedid, the record as read, the new text.
-- Returns 1 when replaced, 0 when it had changed or gone.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
