-- An agent's state changed.  KEYS: agents hash, agent names.  ARGV: name, JSON.
redis.call('SADD', KEYS[2], ARGV[1])
return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
