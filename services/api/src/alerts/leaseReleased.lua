-- An evaluator stops (shutdown): it gives its lease up so another process takes over at once.
-- Compare and delete in one step: never another process's lease.
-- KEYS: lease. ARGV: this process's id. Returns 1 when it was ours.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
