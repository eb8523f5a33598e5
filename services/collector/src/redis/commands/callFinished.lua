-- A call is over: its record (services/shared/src/storedRecord.ts) goes into the hash of its
-- first entry's hour together with what it adds to the rollups and indexes
-- (services/shared/src/rollup.ts). Its live state goes in the event's own MULTI (another slot:
-- records are spread over shards, see Keys).
-- KEYS: the record's hour bucket, its by-id index, the bucket and by-id index an earlier version
--   is in (when ARGV[9] is set; else the same as the first two), the base's days index.
-- ARGV: 1 linkedid, 2 stored record (or the marker "~<into>": it is part of that call now),
--   3 its contribution, 4 the bucket's expiry (unix s), 5 rollup key base, 6 rollups' time to
--   live (s), 7 its hour for the by-id index ('' when it is not found by id), 8 that index's
--   expiry, 9 the earlier version as read ('' on a first attempt), 10 that version's
--   contribution, 11 the record's day, 12… other buckets an earlier version may be in (first
--   attempt only).
-- A first attempt writes a new call, and changes nothing for the same record again or for a
-- call merged away earlier; when an earlier, different version exists it changes nothing and
-- returns {bucket, text}: the writer works out that version's contribution (with the rules it
-- was counted with) and tries again with it, and the script takes it back out only if the
-- earlier version is still what was read (else -1: read again).
-- Every key built here carries the same hash tag as KEYS[1], so one cluster slot holds it.
local function apply(contribution, sign, base, ttl)
  for entry in string.gmatch(contribution, '[^\30]+') do
    local p = {}
    for part in string.gmatch(entry, '[^\31]+') do p[#p + 1] = part end
    local key = base .. p[2]
    if p[1] == 'h' then
      local cur = redis.call('HGET', key, p[3])
      local have = {}
      if cur then for x in string.gmatch(cur, '[^,]+') do have[#have + 1] = tonumber(x) end end
      local i = 0
      local out = {}
      for x in string.gmatch(p[4], '[^,]+') do
        i = i + 1
        local old = have[i] or 0
        if string.sub(x, 1, 1) == 'm' then
          -- A maximum only grows: a taken-back call leaves it (its entries live on in the call it became).
          local v = tonumber(string.sub(x, 2))
          if sign > 0 and v > old then old = v end
          out[i] = old
        else
          out[i] = old + sign * tonumber(x)
        end
      end
      redis.call('HSET', key, p[3], table.concat(out, ','))
      redis.call('EXPIRE', key, ttl)
    elseif p[1] == 'z' then
      if sign > 0 then
        redis.call('ZADD', key, p[3], p[4])
        redis.call('EXPIRE', key, ttl)
      else
        redis.call('ZREM', key, p[4])
      end
    end
  end
end


local id = ARGV[1]
local stored = ARGV[2]
local marker = string.sub(stored, 1, 1) == '~'
local ttl = tonumber(ARGV[6])
if ARGV[9] == '' then
  local at = KEYS[1]
  local cur = redis.call('HGET', at, id)
  for i = 12, #ARGV do
    if cur then break end
    at = ARGV[i]
    cur = redis.call('HGET', at, id)
  end
  if cur == stored then return 0 end
  -- Merged away: its entries live on in the call it became.
  if cur and string.sub(cur, 1, 1) == '~' then return 0 end
  if cur then return {at, cur} end
  -- An alias that never had a record of its own (a channel's uniqueid): nothing to take back.
  if marker then return 0 end
else
  if redis.call('HGET', KEYS[3], id) ~= ARGV[9] then return -1 end
  apply(ARGV[10], -1, ARGV[5], ttl)
  redis.call('HDEL', KEYS[4], id)
  if marker then
    redis.call('HSET', KEYS[3], id, stored)
    return 1
  end
  if KEYS[3] ~= KEYS[1] then redis.call('HDEL', KEYS[3], id) end
end
apply(ARGV[3], 1, ARGV[5], ttl)
redis.call('HSET', KEYS[1], id, stored)
redis.call('EXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[5], ARGV[11], ARGV[11])
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[2], id, ARGV[7])
  redis.call('EXPIREAT', KEYS[2], ARGV[8])
end
return 1
