-- The webhook outbox is first in, first out: the oldest delivery is sent (and retried) before
-- any later one, so a receiver never hears "cleared" before "fired". Claims the head for this
-- process when it is due and nobody else has it in flight.
-- KEYS: lease, deliveries, outbox. ARGV: holder id, now (ms), claim for (ms).
-- Returns the delivery JSON, or false.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local head = redis.call('ZRANGE', KEYS[3], 0, 0)
if #head == 0 then return false end
local text = redis.call('HGET', KEYS[2], head[1])
if text == false then
  redis.call('ZREM', KEYS[3], head[1])
  return false
end
local d = cjson.decode(text)
local now = tonumber(ARGV[2])
if (d.due or 0) > now or (d.claimedUntil or 0) > now then return false end
d.claimedUntil = now + tonumber(ARGV[3])
text = cjson.encode(d)
redis.call('HSET', KEYS[2], head[1], text)
return text
