-- A call is over: its record is kept for the retention period together with what it adds to
-- the rollups and indexes (services/shared/src/rollup.ts). Its live state goes in the event's
-- own MULTI (another slot: records are spread over shards, see Keys).
-- KEYS: record key, records index (of the record's shard).
-- ARGV: linkedid, stored record ("<contribution>\n<json>"), first join ms, retention s, rollup key base.
-- Idempotent: the same record again changes nothing; a different one first takes the old
-- record's contribution back out. A call that turned out to be part of another (listed among
-- its aliases) and had a record is written as the marker "~<into>": its old contribution comes
-- out, it leaves the records index, and writing its record again later adds nothing.
-- Every rollup key built here carries the same hash tag as KEYS[1], so one cluster slot holds it.
local function apply(stored, sign, base, ttl)
  local nl = string.find(stored, '\n', 1, true)
  if not nl or nl == 1 then return end
  local contribution = string.sub(stored, 1, nl - 1)
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

local marker = string.sub(ARGV[2], 1, 1) == '~'
local old = redis.call('GET', KEYS[1])
if old == ARGV[2] then return 0 end
if old and string.sub(old, 1, 1) == '~' then return 0 end
-- An alias that never had a record of its own (a channel's uniqueid): nothing to take back.
if not old and marker then return 0 end
-- Rollups outlive the last record of their day by two days.
local ttl = tonumber(ARGV[4]) + 172800
if old then apply(old, -1, ARGV[5], ttl) end
apply(ARGV[2], 1, ARGV[5], ttl)
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
if marker then
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
return 1
