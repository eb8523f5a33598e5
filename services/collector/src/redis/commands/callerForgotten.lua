-- A finished call's caller number is past PHONE_RETENTION_DAYS: the record is replaced by the
-- same record without it, keeping its expiry — only if it is still the text that was read
-- (a record rewritten meanwhile is left for the next pass).
-- KEYS: the call record. ARGV: the record as read, the record without the number.
-- Returns 1 when replaced, 0 when it had changed or gone.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
