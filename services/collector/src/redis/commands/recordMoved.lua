-- A record of the format before 2 (one STRING per call, in a ZSET per shard) moves into its
-- hour bucket, re-encoded; its rollups stay as they are. A record the collector has meanwhile
-- written anew is kept, and the old one is dropped. Only if the old one is still what was read.
-- KEYS: the old record, the old index, the hour bucket, the by-id index, the base's days index.
-- ARGV: linkedid, the old record as read, the stored record, the bucket's expiry (unix s),
-- its hour for the by-id index ('' when it is not found by id), that index's expiry, its day.
-- Returns 1 when moved, 0 when a newer version was there, -1 when the old one had changed.
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  return -1
end
local moved = 0
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
  redis.call('EXPIREAT', KEYS[3], ARGV[4])
  redis.call('ZADD', KEYS[5], ARGV[7], ARGV[7])
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[4], ARGV[1], ARGV[5])
    redis.call('EXPIREAT', KEYS[4], ARGV[6])
  end
  moved = 1
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return moved
