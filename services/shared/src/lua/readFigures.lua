-- Every live figure of one site in one atomic read.
-- KEYS: queues set, agents hash, health hash, agent names set.
-- ARGV: window from (ms), window to (ms), local midnight (ms), the waiting hashes' key prefix,
-- the number of queue windows, then the key prefixes (ending before the queue or agent name)
-- of every queue window and every agent window, from the catalogue. Counts come back in that
-- order. Every key built here carries the site's {hash tag}, like KEYS.
local from, to, midnight, waitingPrefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local queueWindows = tonumber(ARGV[5])
local first, last = 6, 5 + queueWindows
local queues = {}
for _, queue in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local counts = {}
  for i = first, last do
    counts[#counts + 1] = redis.call('ZCOUNT', ARGV[i] .. queue, from, to)
  end
  local waits = redis.call('HVALS', waitingPrefix .. queue)
  local oldest = false
  for _, v in ipairs(waits) do
    local n = tonumber(v)
    if not oldest or n < oldest then oldest = n end
  end
  queues[queue] = { counts = counts, waiting = #waits, oldestJoin = oldest }
end
local agents = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local counts = {}
  for i = last + 1, #ARGV do
    counts[#counts + 1] = redis.call('ZCOUNT', ARGV[i] .. name, midnight, '+inf')
  end
  agents[name] = counts
end
return cjson.encode({
  queues = queues,
  agentStates = redis.call('HVALS', KEYS[2]),
  agentCounts = agents,
  health = redis.call('HGETALL', KEYS[3]),
})
