-- Every live figure of one site in one atomic read.
-- KEYS: queues set, agents hash, health hash, agent names set.
-- ARGV: key base, window from (ms), window to (ms), local midnight (ms).
-- Every key built here carries the site's {hash tag}, like KEYS.
local base = ARGV[1]
local from, to, midnight = ARGV[2], ARGV[3], ARGV[4]
local metrics = {'offered', 'answered', 'within', 'abandoned', 'shortAbandoned', 'timedOut', 'movedOut', 'unknown', 'breach', 'overLimit'}
local queues = {}
for _, queue in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local q = {}
  for _, metric in ipairs(metrics) do
    q[metric] = redis.call('ZCOUNT', base .. 'w:' .. metric .. ':' .. queue, from, to)
  end
  local waits = redis.call('HVALS', base .. 'waiting:' .. queue)
  local oldest = false
  for _, v in ipairs(waits) do
    local n = tonumber(v)
    if not oldest or n < oldest then oldest = n end
  end
  q.waiting = #waits
  q.oldestJoin = oldest
  queues[queue] = q
end
local agents = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  agents[name] = {
    answered = redis.call('ZCOUNT', base .. 'aw:answered:' .. name, midnight, '+inf'),
    transfers = redis.call('ZCOUNT', base .. 'aw:transfers:' .. name, midnight, '+inf'),
  }
end
return cjson.encode({
  queues = queues,
  agentStates = redis.call('HVALS', KEYS[2]),
  agentCounts = agents,
  health = redis.call('HGETALL', KEYS[3]),
})
