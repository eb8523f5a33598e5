-- Drops window entries older than the longest window anyone may ask for.
-- KEYS: queues set, agent names.
-- ARGV: cut-off ms, the number of queue windows, then the key prefixes (ending before the
-- queue or agent name) of every queue window and every agent window, from the catalogue.
local cutoff = '(' .. ARGV[1]
local queueWindows = tonumber(ARGV[2])
local removed = 0
for _, queue in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for i = 3, 2 + queueWindows do
    removed = removed + redis.call('ZREMRANGEBYSCORE', ARGV[i] .. queue, '-inf', cutoff)
  end
end
for _, agent in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  for i = 3 + queueWindows, #ARGV do
    removed = removed + redis.call('ZREMRANGEBYSCORE', ARGV[i] .. agent, '-inf', cutoff)
  end
end
return removed
