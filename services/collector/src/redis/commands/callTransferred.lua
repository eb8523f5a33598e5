-- A transfer, credited to the agent who made it.
-- KEYS: agent's transfers window, agent names.  ARGV: transfer id, time ms, agent.
redis.call('SADD', KEYS[2], ARGV[3])
return redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
